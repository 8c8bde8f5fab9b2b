import { proxyActivities, type RetryPolicy } from '@temporalio/workflow';
import type { EngagementActivities } from '../activities/engagement';

/**
 * Activity options of the engagement, declared here once, so every call site shares one retry policy. Business errors (the API's
 * `details.reason`, or its `code`) never retry: the activities already mark them non-retryable, and this list
 * says so again at the call site. Network errors, 5xx and 429 retry with backoff (429/503 after Retry-After).
 */
export const BUSINESS_ERROR_TYPES = [
  'payment_method_required',
  'already_accepted',
  'not_fit_confirmation_required',
  'milestone_not_fundable',
  'milestone_not_funded',
  'milestone_cancelled',
  'contract_ended',
  'contract_rate_missing',
  'account_claim_required',
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'OpenTrainResponseError',
];

const retry: RetryPolicy = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  nonRetryableErrorTypes: BUSINESS_ERROR_TYPES,
};

/** Requests and reads that the engagement cannot do without: retried for up to 30 minutes. */
export const openTrainActivities = proxyActivities<EngagementActivities>({
  // The client's own request timeout is 30 s; a contract read plus a write (reconciliation) fits in 75 s.
  startToCloseTimeout: '75 seconds',
  // The activities heartbeat while a call runs (activities/errors.ts): a dead worker costs 20 s, not 75.
  heartbeatTimeout: '20 seconds',
  scheduleToCloseTimeout: '30 minutes',
  retry,
});

/** The fallback poll of an approval: a failed poll is simply followed by the next one. */
export const pollActivities = proxyActivities<EngagementActivities>({
  startToCloseTimeout: '45 seconds',
  heartbeatTimeout: '20 seconds',
  scheduleToCloseTimeout: '3 minutes',
  retry,
});

/** Telling the human: a few quick attempts; a lost reminder must not stall the engagement. */
export const notifyActivities = proxyActivities<EngagementActivities>({
  startToCloseTimeout: '15 seconds',
  scheduleToCloseTimeout: '2 minutes',
  retry: { ...retry, maximumAttempts: 5 },
});

/**
 * `POST /messages` is not idempotent: one attempt, never retried by Temporal. An in-doubt answer is settled by
 * reading the thread (workflows/thread-send.ts), so a retry here could only ever send the message twice.
 */
export const messageSendActivities = proxyActivities<EngagementActivities>({
  startToCloseTimeout: '45 seconds',
  heartbeatTimeout: '20 seconds',
  retry: { maximumAttempts: 1 },
});

/** Reading the thread: retried briefly; a read that still fails is tried again by the routine that needed it. */
export const threadReadActivities = proxyActivities<EngagementActivities>({
  startToCloseTimeout: '45 seconds',
  heartbeatTimeout: '20 seconds',
  scheduleToCloseTimeout: '2 minutes',
  retry,
});
