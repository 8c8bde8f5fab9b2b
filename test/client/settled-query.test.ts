import type { WorkflowHandle } from '@temporalio/client';
import { defineQuery } from '@temporalio/workflow';
import { temporal } from '@temporalio/proto';
import { querySettled } from '../../client/settled-query';

/**
 * State reads wait while the server holds a workflow task that no worker has started: a query then would make a
 * worker apply that task's events ahead of it, and an update the caller sends on what it saw fails replay later
 * (docs/operations.md, "A query can run ahead of the workflow task").
 */

const { PENDING_WORKFLOW_TASK_STATE_SCHEDULED: SCHEDULED, PENDING_WORKFLOW_TASK_STATE_STARTED: STARTED } =
  temporal.api.enums.v1.PendingWorkflowTaskState;
const answerQuery = defineQuery<string>('answer');

/** A handle whose describe reports the given pending task states in turn, and that records the order of calls. */
function fakeHandle(states: (number | undefined)[]) {
  const calls: string[] = [];
  const handle = {
    describe: async () => {
      const state = states.length > 1 ? states.shift() : states[0];
      calls.push(`describe:${state ?? 'none'}`);
      return { raw: { pendingWorkflowTask: state === undefined ? null : { state } } };
    },
    query: async () => {
      calls.push('query');
      return 'the state';
    },
  };
  return { handle: handle as unknown as WorkflowHandle, calls };
}

it('queries only once no workflow task waits unstarted', async () => {
  const { handle, calls } = fakeHandle([SCHEDULED, SCHEDULED, STARTED]);
  await expect(querySettled(handle, answerQuery)).resolves.toBe('the state');
  expect(calls).toEqual([`describe:${SCHEDULED}`, `describe:${SCHEDULED}`, `describe:${STARTED}`, 'query']);
});

it('queries at once when nothing is pending', async () => {
  const { handle, calls } = fakeHandle([undefined]);
  await querySettled(handle, answerQuery);
  expect(calls).toEqual(['describe:none', 'query']);
});

it('queries anyway after a few seconds when no worker takes the task', async () => {
  const { handle, calls } = fakeHandle([SCHEDULED]);
  const started = Date.now();
  await querySettled(handle, answerQuery);
  expect(Date.now() - started).toBeGreaterThanOrEqual(4_900);
  expect(calls.at(-1)).toBe('query');
}, 10_000);
