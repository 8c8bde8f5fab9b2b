import { setTimeout as sleep } from 'node:timers/promises';
import type { QueryDefinition, WorkflowHandle } from '@temporalio/client';
import { QUERY_RAN_AHEAD } from '../workflows/legacy-query-guard';

/** A refused query is asked again at once, then after 100 and 200 ms: the refusing worker has dropped its copy. */
export const QUERY_ATTEMPTS = 3;
const FIRST_PAUSE_MS = 100;

/** True for the refusal of workflows/legacy-query-guard.ts, which reaches the client as a failed query. */
export function queryRanAhead(err: unknown): boolean {
  return err instanceof Error && err.message.includes(QUERY_RAN_AHEAD);
}

/**
 * Queries a workflow, and asks again when the worker refused because it had just applied events that no workflow
 * task has taken yet (it dropped that copy of the workflow; see workflows/legacy-query-guard.ts). The next attempt
 * travels with the pending workflow task or reaches a worker that rebuilds the workflow from its history.
 */
export async function guardedQuery<Ret, Args extends unknown[]>(
  handle: WorkflowHandle,
  query: QueryDefinition<Ret, Args>,
  ...args: Args
): Promise<Ret> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await handle.query(query, ...args);
    } catch (err) {
      if (attempt >= QUERY_ATTEMPTS || !queryRanAhead(err)) throw err;
      if (attempt > 1) await sleep(FIRST_PAUSE_MS * 2 ** (attempt - 2));
    }
  }
}
