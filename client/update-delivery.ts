import { setTimeout as sleep } from 'node:timers/promises';
import { isGrpcServiceError, ServiceError } from '@temporalio/client';
import { google } from '@temporalio/proto';

/** gRPC's FAILED_PRECONDITION, the code Temporal gives an update it aborted with a failed workflow task. */
const FAILED_PRECONDITION = 9;
const WORKFLOW_NOT_READY = 'temporal.api.errordetails.v1.WorkflowNotReadyFailure';
/** 0.25 + 0.5 + 1 + 2 s between five attempts: longer than a workflow task's retry on a healthy worker. */
const ATTEMPTS = 5;
const FIRST_PAUSE_MS = 250;

/**
 * True when Temporal aborted an update because the workflow task that carried it failed (a worker that died or
 * timed out mid-task, a completion the server refused). Nothing of that task was recorded, so the update was
 * neither accepted nor rejected. The server answers FAILED_PRECONDITION with a WorkflowNotReadyFailure, which the
 * SDK does not retry.
 */
export function updateAbortedUnrecorded(err: unknown): boolean {
  const grpc = err instanceof ServiceError ? err.cause : err;
  if (!isGrpcServiceError(grpc) || grpc.code !== FAILED_PRECONDITION) return false;
  const [statusBytes] = grpc.metadata?.get('grpc-status-details-bin') ?? [];
  if (!(statusBytes instanceof Buffer)) return false;
  const { details } = google.rpc.Status.decode(statusBytes);
  return details.some((d) => d.type_url?.replace(/^type\.googleapis\.com\//, '') === WORKFLOW_NOT_READY);
}

/**
 * Sends an update, and sends it again (same update id) while Temporal aborts it unrecorded. Safe because the
 * update id carries the caller's idempotency key: had an attempt been recorded after all, the server would
 * answer the next with that first outcome, and the workflow dedupes the key too. After the last attempt the
 * error reaches the caller, who may repeat the call with the same key.
 */
export async function deliverUpdate<T>(
  send: () => Promise<T>,
  onAborted?: (err: unknown) => unknown,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send();
    } catch (err) {
      if (attempt >= ATTEMPTS || !updateAbortedUnrecorded(err)) throw err;
      await onAborted?.(err);
      await sleep(FIRST_PAUSE_MS * 2 ** (attempt - 1));
    }
  }
}
