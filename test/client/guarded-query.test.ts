import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildProcess } from 'node:child_process';
import { Metadata, status } from '@grpc/grpc-js';
import {
  QueryNotRegisteredError,
  ServiceError,
  WorkflowNotFoundError,
  type WorkflowHandle,
} from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { defineQuery } from '@temporalio/workflow';
import {
  guardedQuery,
  QUERY_ATTEMPTS,
  queryInTransitFailed,
  queryRanAhead,
} from '../../client/guarded-query';
import { QUERY_RAN_AHEAD } from '../../workflows/legacy-query-guard';
import { killAll, killGroup, spawnGroup, within } from '../chaos/support/processes';
import { bundleWorkflows, createDevServerEnv } from '../support/temporal';
import { noteUpdate, pokeSignal, stageQuery } from './fixtures/stalled-activity-workflows';

/**
 * A query must not leave a worker with a copy of the workflow that ran ahead of its history: the worker refuses
 * such a query and drops the copy (workflows/legacy-query-guard.ts), and the client library asks again
 * (client/guarded-query.ts). Played here with worker processes, one of them SIGKILLed.
 */

jest.setTimeout(90_000);
const answerQuery = defineQuery<string>('answer');

/** The guard's refusal as the SDK hands it to the caller (a failed query arrives as INVALID_ARGUMENT). */
function refusal(): QueryNotRegisteredError {
  return new QueryNotRegisteredError(QUERY_RAN_AHEAD, 3);
}

/** A query the server gave up on, as the SDK hands it to the caller: a ServiceError wrapping the gRPC error. */
function failedInTransit(code: status): ServiceError {
  const grpc = Object.assign(new Error(`${code} the query failed`), {
    code,
    details: 'the query failed',
    metadata: new Metadata(),
  });
  return new ServiceError('Failed to query Workflow', { cause: grpc });
}

/** A handle whose queries fail with `failures` in turn, then answer. */
function fakeHandle(failures: Error[]) {
  let calls = 0;
  const handle = {
    query: async () => {
      calls += 1;
      const failure = failures.shift();
      if (failure) throw failure;
      return 'the state';
    },
  };
  return { handle: handle as unknown as WorkflowHandle, calls: () => calls };
}

describe('a guarded query', () => {
  it('asks again after the guard refused, and answers', async () => {
    const { handle, calls } = fakeHandle([refusal(), refusal()]);
    await expect(guardedQuery(handle, answerQuery)).resolves.toBe('the state');
    expect(calls()).toBe(3);
  });

  it('asks again after the query failed in transit, and answers', async () => {
    const { handle, calls } = fakeHandle([
      failedInTransit(status.DEADLINE_EXCEEDED),
      failedInTransit(status.UNAVAILABLE),
    ]);
    await expect(guardedQuery(handle, answerQuery)).resolves.toBe('the state');
    expect(calls()).toBe(3);
  });

  it('passes a failed query the server rejected for good on at once', async () => {
    const denied = failedInTransit(status.PERMISSION_DENIED);
    const { handle, calls } = fakeHandle([denied]);
    await expect(guardedQuery(handle, answerQuery)).rejects.toBe(denied);
    expect(queryInTransitFailed(denied)).toBe(false);
    expect(calls()).toBe(1);
  });

  it('passes any other error on at once', async () => {
    const notFound = new WorkflowNotFoundError('gone', 'engagement-x', undefined);
    const { handle, calls } = fakeHandle([notFound]);
    await expect(guardedQuery(handle, answerQuery)).rejects.toBe(notFound);
    expect(calls()).toBe(1);
  });

  it('gives up after the last attempt with the refusal', async () => {
    const failures = Array.from({ length: QUERY_ATTEMPTS + 1 }, refusal);
    const last = failures[QUERY_ATTEMPTS - 1];
    const { handle, calls } = fakeHandle(failures);
    await expect(guardedQuery(handle, answerQuery)).rejects.toBe(last);
    expect(calls()).toBe(QUERY_ATTEMPTS);
  });

  it('tells the refusal from other failed queries', () => {
    expect(queryRanAhead(refusal())).toBe(true);
    expect(queryRanAhead(new QueryNotRegisteredError('no handler for stage', 3))).toBe(false);
    expect(queryRanAhead('answered from events')).toBe(false);
  });
});

describe('against a dev server, with the sticky worker SIGKILLed', () => {
  let env: TestWorkflowEnvironment;
  let dir: string;
  let codePath: string;

  beforeAll(async () => {
    env = await createDevServerEnv();
    dir = mkdtempSync(join(tmpdir(), 'guarded-query-'));
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

  /**
   * The shape of every kept case of the fault suite: the sticky worker dies; a query is sent with no task pending
   * (straight to the dead worker's sticky queue, where the server waits its 3 s out); an activity result and an
   * update come in meanwhile. The other worker then takes the query with the history as it is by then.
   */
  async function queryWhileTheStickyWorkerIsDead(read: (handle: WorkflowHandle) => Promise<unknown>) {
    const taskQueue = `guarded-query-${process.pid}-${Date.now()}`;
    rmSync(join(dir, 'token'), { force: true });
    const first = await startWorker('first', taskQueue);
    const handle = await env.client.workflow.start('stallsOnActivity', {
      taskQueue,
      workflowId: `${taskQueue}-wf`,
    });
    while (!existsSync(join(dir, 'token'))) await sleep(50);
    const second = await startWorker('second', taskQueue);
    // A task of the first worker's own just before it dies keeps its sticky poll fresh, so the server waits the
    // whole sticky timeout there.
    await handle.signal(pokeSignal);
    await untilNoTaskPending(handle);
    await killGroup(first);

    const answer = read(handle).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    await sleep(400);
    await env.client.activity.complete(
      Buffer.from(readFileSync(join(dir, 'token'), 'utf8'), 'base64'),
      undefined,
    );
    const noted = await handle.executeUpdate(noteUpdate);
    const outcome = await answer;
    const history = await handle.fetchHistory();
    await killGroup(second);
    return { outcome, noted, history };
  }

  it('a plain query (as from any client) is refused by a worker that ran ahead, and the history replays', async () => {
    const { outcome, noted, history } = await queryWhileTheStickyWorkerIsDead((handle) =>
      handle.query(stageQuery),
    );
    expect(noted).toMatch(/^noted while /);
    // Refused, or answered from a workflow task; never from events ahead of one.
    if ('error' in outcome) expect(queryRanAhead(outcome.error)).toBe(true);
    else expect(outcome.value).toBe('waiting for the activity');
    await expect(Worker.runReplayHistory({ workflowBundle: { codePath } }, history)).resolves.toBeUndefined();
  });

  it("the library's read answers in the same scenario", async () => {
    const { outcome, history } = await queryWhileTheStickyWorkerIsDead((handle) =>
      guardedQuery(handle, stageQuery),
    );
    expect(outcome).toEqual({ value: expect.any(String) });
    await expect(Worker.runReplayHistory({ workflowBundle: { codePath } }, history)).resolves.toBeUndefined();
  });
});
