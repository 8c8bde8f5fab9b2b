import { ActivityFailure, ApplicationFailure, isCancellation } from '@temporalio/workflow';
import { EngagementRuleError } from '../domain/engagement-errors';
import type { MilestoneView } from '../domain/engagement-view';
import type { IntentFailure } from '../domain/intents';
import { InputValidationError } from '../domain/validation';

/** What an activity failure says: the API's reason as `type`, and the API error's details (billingUrl…). */
export interface FailureInfo {
  type?: string;
  message: string;
  apiDetails: Record<string, unknown>;
  /** OpenTrain's HTTP status, when it answered (absent for timeouts and resets). */
  status?: number;
  /** The endpoint, e.g. `GET /approvals/apr_1`, when OpenTrain answered. */
  endpoint?: string;
}

interface ApiErrorJson {
  status?: number;
  method?: string;
  path?: string;
  details?: Record<string, unknown>;
}

/**
 * Only an activity's own failure is handled where it is caught; anything else goes on up — including an
 * activity cancelled because the engagement was cancelled, which must never read as "OpenTrain failed".
 */
export function rethrowUnlessActivityFailure(err: unknown): asserts err is ActivityFailure {
  if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
}

export function failureInfo(err: ActivityFailure): FailureInfo {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure) {
    const first = cause.details?.[0] as ApiErrorJson | undefined;
    return {
      type: cause.type ?? undefined,
      message: cause.message,
      apiDetails: first?.details ?? {},
      status: typeof first?.status === 'number' ? first.status : undefined,
      endpoint: first?.method && first.path ? `${first.method} ${first.path}` : undefined,
    };
  }
  return { message: cause?.message ?? err.message, apiDetails: {} };
}

/**
 * Errors leaving an update validator or handler become ApplicationFailures, so the caller sees why
 * (`type` = our rule code, the API's reason, or InputValidationError) and the workflow task never fails.
 */
export function toUpdateFailure(err: unknown): unknown {
  if (err instanceof EngagementRuleError)
    return ApplicationFailure.create({
      message: err.message,
      type: err.code,
      nonRetryable: true,
      details: err.details ? [err.details] : undefined,
    });
  if (err instanceof InputValidationError) return ApplicationFailure.nonRetryable(err.message, err.name);
  if (err instanceof ActivityFailure) {
    const info = failureInfo(err);
    return ApplicationFailure.nonRetryable(info.message, info.type ?? 'ActivityFailure', info.apiDetails);
  }
  return err;
}

/** Run a validator's checks, turning rule and input errors into ApplicationFailures. */
export function validating(check: () => void): void {
  try {
    check();
  } catch (err) {
    throw toUpdateFailure(err);
  }
}

/**
 * `addMilestone` with `fund: true` whose funding was not requested: the caller sees the funding failure's type
 * (e.g. `payment_method_required`, to act on it) and that the milestone was created; the milestone travels in
 * the details (`createdMilestone`) and stays in the state, so `fundMilestone` can ask again.
 */
export function createdButNotFunded(failure: IntentFailure, milestone: MilestoneView): IntentFailure {
  return {
    type: failure.type,
    message: `milestone ${milestone.id} was created (${milestone.status}) but its funding was not requested: ${failure.message}`,
    details: { ...failure.details, createdMilestone: milestone },
  };
}
