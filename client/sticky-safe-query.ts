import { isGrpcDeadlineError } from '@temporalio/client';
import type { QueryDefinition, WorkflowHandle } from '@temporalio/client';
import { STICKY_QUEUE_SCHEDULE_TO_START_MS } from '../config/sticky-queue';

/** Each attempt gives up a second before the server's wait on a sticky queue ends. */
export const QUERY_ATTEMPT_MS = STICKY_QUEUE_SCHEDULE_TO_START_MS - 1_000;
/** 6 × 2 s: a dead sticky worker costs two or three; a cluster with no worker at all is reported after 12 s. */
export const QUERY_ATTEMPTS = 6;

/**
 * Queries a workflow so that Temporal never hands the query to another worker after waiting on a dead worker's
 * sticky queue (docs/operations.md, "A query must not outlast a sticky wait").
 *
 * With no workflow task pending, the server sends a query to the sticky queue of the worker that has the workflow
 * cached and waits there up to the sticky schedule-to-start timeout; then it clears stickiness and, if the caller
 * still waits, sends the query to the normal queue. The worker that takes it there reads the history as it is
 * then: an activity result or a signal that came in during the wait is in it, its workflow task not yet started.
 * sdk-core applies those events to answer the query and keeps the workflow cached in that state. When the task
 * itself then reaches that worker carrying an update, the worker accepts the update after the commands those
 * events caused, while every replay takes both in one activation and accepts the update first: a nondeterminism
 * error that stops the engagement. So each attempt ends before that wait does; the next finds stickiness cleared
 * (the query goes to a polling worker at once) or a task pending (the query travels with it, after its events).
 */
export async function stickySafeQuery<Ret, Args extends unknown[]>(
  handle: WorkflowHandle,
  query: QueryDefinition<Ret, Args>,
  ...args: Args
): Promise<Ret> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await handle.client.withDeadline(Date.now() + QUERY_ATTEMPT_MS, () =>
        handle.query(query, ...args),
      );
    } catch (err) {
      if (attempt >= QUERY_ATTEMPTS || !isGrpcDeadlineError(err)) throw err;
    }
  }
}
