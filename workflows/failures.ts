import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { EngagementRuleError } from '../domain/engagement-errors';
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
