import { setTimeout as sleep } from 'node:timers/promises';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { deliverUpdate, updateAbortedUnrecorded } from '../../client/update-delivery';
import { bundleWorkflows, createDevServerEnv } from '../support/temporal';
import { answerUpdate, readyQuery, readySignal } from './fixtures/aborted-update-workflows';

/**
 * An update whose workflow task fails is aborted by Temporal unrecorded, and the SDK passes the server's
 * FAILED_PRECONDITION on as a bare ServiceError (seen in the model test when a task failed right after
 * continue-as-new). The client sends such an update again under the same id.
 */

jest.setTimeout(60_000);
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createDevServerEnv();
});
afterAll(() => env?.teardown());

async function withWorkflow(body: (workflowId: string) => Promise<void>): Promise<void> {
  const taskQueue = `aborted-update-${process.pid}-${Date.now()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await bundleWorkflows(require.resolve('./fixtures/aborted-update-workflows')),
  });
  await worker.runUntil(async () => {
    const workflowId = `${taskQueue}-wf`;
    await env.client.workflow.start('abortsUpdatesUntilReady', { workflowId, taskQueue });
    await body(workflowId);
  });
}

it('sends an update again under the same id while its workflow task fails, and returns the answer', async () => {
  await withWorkflow(async (workflowId) => {
    const handle = env.client.workflow.getHandle(workflowId);
    const aborted: unknown[] = [];
    const answer = await deliverUpdate(
      () => handle.executeUpdate(answerUpdate, { args: ['q'], updateId: 'k2' }),
      async (err) => {
        aborted.push(err);
        // Ready before the next attempt: the workflow has taken the signal in a task of its own (until then a
        // query is refused while the failed task is retried).
        await handle.signal(readySignal);
        while (!(await handle.query(readyQuery).catch(() => false))) await sleep(200);
      },
    );
    expect(answer).toBe('answer to q');
    // What the SDK alone hands the caller: a bare ServiceError, which only its gRPC details tell apart.
    expect(aborted).toHaveLength(1);
    expect(aborted[0]).toMatchObject({ name: 'ServiceError', message: 'Workflow Update failed' });
    expect(updateAbortedUnrecorded(aborted[0])).toBe(true);
    // The same id again is answered from the recorded outcome, by Temporal.
    expect(await handle.executeUpdate(answerUpdate, { args: ['other'], updateId: 'k2' })).toBe('answer to q');
  });
});

it('tells an aborted update from other service errors', () => {
  expect(updateAbortedUnrecorded(new Error('Workflow Update failed'))).toBe(false);
  expect(updateAbortedUnrecorded(undefined)).toBe(false);
});

it('passes any other error through at once', async () => {
  let calls = 0;
  const refused = new Error('refused');
  await expect(
    deliverUpdate(async () => {
      calls += 1;
      throw refused;
    }),
  ).rejects.toBe(refused);
  expect(calls).toBe(1);
});
