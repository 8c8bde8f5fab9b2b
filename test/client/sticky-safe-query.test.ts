import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import { ServiceError, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { defineQuery } from '@temporalio/workflow';
import { QUERY_ATTEMPT_MS, QUERY_ATTEMPTS, stickySafeQuery } from '../../client/sticky-safe-query';
import { STICKY_QUEUE_SCHEDULE_TO_START_MS } from '../../config/sticky-queue';
import { killAll, killGroup, spawnGroup, within } from '../chaos/support/processes';
import { bundleWorkflows, createDevServerEnv } from '../support/temporal';
import { noteUpdate, pokeSignal, stageQuery } from './fixtures/stalled-activity-workflows';

/**
 * State reads never let Temporal hand a query to another worker after it waited on a dead worker's sticky queue:
 * that worker would answer from events no workflow task has taken yet, and keep the workflow cached so (see
 * client/sticky-safe-query.ts).
 */

jest.setTimeout(90_000);
const answerQuery = defineQuery<string>('answer');

/** A gRPC status error as the SDK raises it, wrapped as `handle.query` wraps it. */
function serviceError(code: number): ServiceError {
  const grpc = Object.assign(new Error(`${code} status`), { code, details: 'status', metadata: {} });
  return new ServiceError('Failed to query Workflow', { cause: grpc });
}

/** A handle whose queries fail with `failures` in turn, then answer; it records each attempt's deadline. */
function fakeHandle(failures: Error[]) {
  const deadlines: number[] = [];
  const handle = {
    client: {
      withDeadline: async (deadline: number, fn: () => Promise<unknown>) => {
        deadlines.push(deadline - Date.now());
        return fn();
      },
    },
    query: async () => {
      const failure = failures.shift();
      if (failure) throw failure;
      return 'the state';
    },
  };
  return { handle: handle as unknown as WorkflowHandle, deadlines };
}

describe('each attempt', () => {
  it('ends before the server stops waiting on a sticky queue, and a deadline is asked again', async () => {
    const { handle, deadlines } = fakeHandle([serviceError(4), serviceError(4)]);
    await expect(stickySafeQuery(handle, answerQuery)).resolves.toBe('the state');
    expect(deadlines).toHaveLength(3);
    for (const ms of deadlines) {
      expect(ms).toBeLessThanOrEqual(QUERY_ATTEMPT_MS);
      expect(ms).toBeLessThan(STICKY_QUEUE_SCHEDULE_TO_START_MS);
    }
  });

  it('passes any other error on at once', async () => {
    const notFound = new WorkflowNotFoundError('gone', 'engagement-x', undefined);
    const { handle, deadlines } = fakeHandle([notFound]);
    await expect(stickySafeQuery(handle, answerQuery)).rejects.toBe(notFound);
    expect(deadlines).toHaveLength(1);
  });

  it('gives up after the last attempt with its deadline error', async () => {
    const failures = Array.from({ length: QUERY_ATTEMPTS + 1 }, () => serviceError(4));
    const last = failures[QUERY_ATTEMPTS - 1];
    const { handle, deadlines } = fakeHandle(failures);
    await expect(stickySafeQuery(handle, answerQuery)).rejects.toBe(last);
    expect(deadlines).toHaveLength(QUERY_ATTEMPTS);
  });
});

describe('against a dev server, with the sticky worker SIGKILLed', () => {
  let env: TestWorkflowEnvironment;
  let dir: string;
  let codePath: string;

  beforeAll(async () => {
    env = await createDevServerEnv();
    dir = mkdtempSync(join(tmpdir(), 'sticky-safe-query-'));
    codePath = join(dir, 'workflows.js');
    writeFileSync(
      codePath,
      (await bundleWorkflows(require.resolve('./fixtures/stalled-activity-workflows'))).code,
    );
  });
  afterAll(async () => {
    await killAll();
    await env?.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  async function startWorker(name: string, taskQueue: string): Promise<ChildProcess> {
    const script = require.resolve('./fixtures/stalled-activity-worker');
    let ready: (polling: true) => void = () => undefined;
    const polling = new Promise<true>((resolve) => (ready = resolve));
    const child = spawnGroup(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', script, env.address, taskQueue, codePath, join(dir, 'token')],
      {
        env: { ...process.env },
        logFile: join(dir, `worker-${name}.log`),
        onOutput: (text) => text.includes('worker polling') && ready(true),
      },
    );
    if (!(await within(polling, 30_000))) throw new Error(`worker ${name} did not start (${dir})`);
    return child;
  }

  async function untilNoTaskPending(handle: WorkflowHandle): Promise<void> {
    while ((await handle.describe()).raw.pendingWorkflowTask) await sleep(25);
  }

  it('a read while an activity result comes in leaves the engagement a history that replays', async () => {
    const taskQueue = `sticky-safe-${process.pid}-${Date.now()}`;
    const first = await startWorker('first', taskQueue);
    const handle = await env.client.workflow.start('stallsOnActivity', {
      taskQueue,
      workflowId: `${taskQueue}-wf`,
    });
    while (!existsSync(join(dir, 'token'))) await sleep(50);
    const second = await startWorker('second', taskQueue);
    // A task of the first worker's own just before it dies keeps its sticky poll fresh: the server then waits
    // the whole sticky timeout there before it clears stickiness.
    await handle.signal(pokeSignal);
    await untilNoTaskPending(handle);
    await killGroup(first);

    // The read starts with no task pending (so the server sends it straight to the dead worker's sticky queue);
    // the activity result and an update come in while it waits there.
    const read = stickySafeQuery(handle, stageQuery);
    await sleep(400);
    await env.client.activity.complete(
      Buffer.from(readFileSync(join(dir, 'token'), 'utf8'), 'base64'),
      undefined,
    );
    const noted = handle.executeUpdate(noteUpdate);
    await expect(read).resolves.toEqual(expect.any(String));
    await expect(noted).resolves.toContain('noted');

    // The second worker accepted the update in the task that applied the activity result, as a replay does.
    const history = await handle.fetchHistory();
    await expect(Worker.runReplayHistory({ workflowBundle: { codePath } }, history)).resolves.toBeUndefined();
    await killGroup(second);
  });
});
