import { cancellationSignal, heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { OpenTrainApiError, OpenTrainResponseError } from '../opentrain';

/**
 * The one place where OpenTrain errors become Temporal failures (docs/opentrain-api.md#errors): `type` = the API's `details.reason`
 * (or its `code`), business 4xx are non-retryable, 429/503 wait for Retry-After, network errors/5xx/timeouts retry.
 */
export function toActivityFailure(err: unknown): unknown {
  if (err instanceof OpenTrainApiError) {
    return ApplicationFailure.create({
      message: err.message,
      type: err.reason ?? err.code,
      nonRetryable: !err.retryable,
      nextRetryDelay: err.retryable && err.retryAfterMs !== undefined ? err.retryAfterMs : undefined,
      // The error's own JSON holds status, code, reason, details (billingUrl, claimUrl…) and requestId: no secrets.
      details: [err.toJSON()],
    });
  }
  if (err instanceof OpenTrainResponseError) {
    // A body that breaks the documented contract will not heal on retry; a person has to look.
    return ApplicationFailure.create({ message: err.message, type: err.name, nonRetryable: true });
  }
  return err;
}

/** How often a running call tells Temporal it is alive; the workflow's heartbeatTimeout is a few times this. */
export const HEARTBEAT_INTERVAL_MS = 5_000;

/**
 * Run one OpenTrain call with the activity's cancellation signal, mapping its errors. It heartbeats while it
 * runs: a worker that died is noticed within the heartbeat timeout (not the whole start-to-close), and a
 * cancelled engagement's cancellation reaches the request (it arrives with a heartbeat's answer).
 */
export async function callOpenTrain<T>(call: (options: { signal: AbortSignal }) => Promise<T>): Promise<T> {
  heartbeat();
  const beating = setInterval(() => heartbeat(), HEARTBEAT_INTERVAL_MS);
  try {
    return await call({ signal: cancellationSignal() });
  } catch (err) {
    throw toActivityFailure(err);
  } finally {
    clearInterval(beating);
  }
}

/** The failure type of a mapped error (e.g. `already_accepted`), to reconcile a 409 that proves success. */
export function failureType(err: unknown): string | undefined {
  return err instanceof ApplicationFailure ? (err.type ?? undefined) : undefined;
}
