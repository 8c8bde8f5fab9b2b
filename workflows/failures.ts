import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { EngagementRuleError } from '../domain/engagement-errors';
import type { MilestoneView } from '../domain/engagement-view';
import { InputValidationError } from '../domain/validation';

/** What an activity failure says: the API's reason as `type`, and the API error's details (billingUrl…). */
export interface FailureInfo {
  type?: string;
  message: string;
  apiDetails: Record<string, unknown>;
}

export function failureInfo(err: ActivityFailure): FailureInfo {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure) {
    const first = cause.details?.[0] as { details?: Record<string, unknown> } | undefined;
    return { type: cause.type ?? undefined, message: cause.message, apiDetails: first?.details ?? {} };
  }
  return { message: cause?.message ?? err.message, apiDetails: {} };
}

/**
 * Errors leaving an update validator or handler become ApplicationFailures, so the caller sees why
 * (`type` = our rule code, the API's reason, or InputValidationError) and the workflow task never fails.
 */
export function toUpdateFailure(err: unknown): unknown {
  if (err instanceof EngagementRuleError) return ApplicationFailure.nonRetryable(err.message, err.code);
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
 * `addMilestone` with `fund: true` whose funding could not be requested: the update fails with the funding
 * failure's type (e.g. `payment_method_required`, so the caller can act on it) and says that the milestone was
 * created; the created milestone travels in the failure's details (`createdMilestone`) and stays in the state,
 * so `fundMilestone` can ask again.
 */
export function createdButNotFunded(err: unknown, milestone: MilestoneView): unknown {
  const failure = toUpdateFailure(err);
  if (!(failure instanceof ApplicationFailure)) return err;
  const details = (failure.details?.[0] as Record<string, unknown> | undefined) ?? {};
  return ApplicationFailure.create({
    type: failure.type ?? undefined,
    nonRetryable: true,
    message: `milestone ${milestone.id} was created (${milestone.status}) but its funding was not requested: ${failure.message}`,
    details: [{ ...details, createdMilestone: milestone }],
  });
}
