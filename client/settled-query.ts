import { setTimeout as sleep } from 'node:timers/promises';
import type { QueryDefinition, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const SCHEDULED = temporal.api.enums.v1.PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_SCHEDULED;
/** The sticky worker's schedule-to-start timeout (3 s) and a pickup by another worker. */
const MAX_WAIT_MS = 5_000;
const POLL_MS = 25;

/**
 * Query a workflow once the server holds no workflow task for it that no worker has started yet. Such a task
 * carries new events (an activity result, a fired timer) and usually waits on the sticky queue of a worker that
 * died; a query then makes another worker apply those events ahead of their task. The caller sees the result and
 * acts (an update), and the worker accepts that update after the commands the events caused, while a replay of the
 * history accepts it before them: a nondeterminism error that stops the engagement (docs/operations.md). Waits at
 * most a few seconds; with no worker at all it queries anyway, as before.
 */
export async function querySettled<Ret, Args extends unknown[]>(
  handle: WorkflowHandle,
  query: QueryDefinition<Ret, Args>,
  ...args: Args
): Promise<Ret> {
  const deadline = Date.now() + MAX_WAIT_MS;
  for (;;) {
    const { raw } = await handle.describe();
    if (raw.pendingWorkflowTask?.state !== SCHEDULED || Date.now() >= deadline) break;
    await sleep(POLL_MS);
  }
  return handle.query(query, ...args);
}
