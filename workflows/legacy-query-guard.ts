import type { WorkflowInterceptors } from '@temporalio/workflow';

/** The refusal a guarded query answers with; the client asks again on it (client/guarded-query.ts). */
export const QUERY_RAN_AHEAD =
  'answered from events no workflow task has taken yet: this copy of the workflow is dropped';

/** The id sdk-core gives a query that came on its own, not with a workflow task. */
const LEGACY_QUERY_ID = 'legacy_query';

interface Timestamp {
  seconds?: { toString(): string } | number | null;
  nanos?: number | null;
}

/** [seconds, nanos]: exact, where milliseconds could tie two workflow tasks a few hundred microseconds apart. */
function clockOf(ts: Timestamp | null | undefined): [number, number] {
  return [Number(String(ts?.seconds ?? 0)), ts?.nanos ?? 0];
}

function notAfter([s1, n1]: [number, number], [s2, n2]: [number, number]): boolean {
  return s1 < s2 || (s1 === s2 && n1 <= n2);
}

/**
 * Stops a query from leaving a worker with a copy of the workflow that has run ahead of its history
 * (docs/operations.md, "A query can run ahead of the workflow task").
 *
 * A query that comes on its own (no workflow task pending when it was sent) carries the history as it is when a
 * worker takes it. Events that arrived meanwhile (an activity result, a signal) are in it with their workflow task
 * not yet started, and sdk-core applies them to answer the query, in an activation of their own, and keeps that
 * copy. When the task then reaches this worker with an update, the update is accepted after the commands those
 * events caused, while a replay takes both in one activation and accepts it first: the history can no longer be
 * replayed. Such an activation is recognisable: the history grew, yet the workflow clock (which only a started
 * workflow task moves) did not. The query that follows is then failed as an activation, which makes sdk-core drop
 * the copy; the task replays cleanly on a fresh one. A query that comes with a workflow task, or after a real
 * one, is answered as usual, and a workflow task itself is never failed here.
 */
export const interceptors = (): WorkflowInterceptors => {
  let last: { clock: [number, number]; historyLength: number } | undefined;
  let ranAhead = false;
  return {
    internals: [
      {
        activate(input, next) {
          const { activation, batchIndex } = input;
          const jobs = activation.jobs ?? [];
          if (jobs.some((job) => job.queryWorkflow)) {
            if (ranAhead && jobs.some((job) => job.queryWorkflow?.queryId === LEGACY_QUERY_ID)) {
              ranAhead = false;
              throw new Error(QUERY_RAN_AHEAD);
            }
            return next(input);
          }
          if (batchIndex === 0) {
            const clock = clockOf(activation.timestamp);
            const historyLength = activation.historyLength ?? 0;
            ranAhead =
              !activation.isReplaying &&
              last !== undefined &&
              notAfter(clock, last.clock) &&
              historyLength > last.historyLength;
            last = { clock, historyLength };
          }
          return next(input);
        },
      },
    ],
  };
};
