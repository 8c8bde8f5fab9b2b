import { setTimeout as sleep } from 'node:timers/promises';
import { status } from '@grpc/grpc-js';
import {
  isGrpcServiceError,
  ServiceError,
  type QueryDefinition,
  type WorkflowHandle,
} from '@temporalio/client';
import { QUERY_RAN_AHEAD } from '../workflows/legacy-query-guard';

/** A refused query is asked again at once, then after 100 ms: the refusing worker has dropped its copy. */
export const QUERY_ATTEMPTS = 3;
const FIRST_PAUSE_MS = 100;

/** True for the refusal of workflows/legacy-query-guard.ts, which reaches the client as a failed query. */
export function queryRanAhead(err: unknown): boolean {
  return err instanceof Error && err.message.includes(QUERY_RAN_AHEAD);
}

/**
 * True for a query the server gave up on in transit (its deadline passed, or it could not reach a worker), as when
 * it waited out a dead worker's sticky queue on a loaded machine: asking again reaches the live worker.
 */
export function queryInTransitFailed(err: unknown): boolean {
  if (!(err instanceof ServiceError) || !isGrpcServiceError(err.cause)) return false;
  return err.cause.code === status.DEADLINE_EXCEEDED || err.cause.code === status.UNAVAILABLE;
}

/**
 * Queries a workflow, and asks again when the worker refused because it had just applied events that no workflow
 * task has taken yet (it dropped that copy of the workflow; see workflows/legacy-query-guard.ts), or when the query
 * failed in transit. The next attempt travels with the pending workflow task or reaches a worker that rebuilds the
 * workflow from its history.
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
      if (attempt >= QUERY_ATTEMPTS || !(queryRanAhead(err) || queryInTransitFailed(err))) throw err;
      if (attempt > 1) await sleep(FIRST_PAUSE_MS * 2 ** (attempt - 2));
    }
  }
}
