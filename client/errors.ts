import { InputValidationError } from '../domain/validation';

/**
 * The small set of errors every way in (library, CLI, HTTP) speaks. Temporal's own errors are translated into
 * these in one place (`engagement-client.ts`) so callers never need to know the SDK.
 */

export { InputValidationError };

export class EngagementNotFoundError extends Error {
  override readonly name = 'EngagementNotFoundError';
  constructor(readonly engagementId: string) {
    super(`No engagement with id ${engagementId}`);
  }
}

/** The workflow refused the request (its update validator or handler threw); `reason` is the workflow's words. */
export class UpdateRejectedError extends Error {
  override readonly name = 'UpdateRejectedError';
  constructor(
    readonly engagementId: string,
    readonly operation: string,
    readonly reason: string,
    /** The failure type the workflow chose, e.g. `InputValidationError` or a guard's name. */
    readonly failureType?: string,
    /** Structured facts the workflow attached, e.g. OpenTrain's `billingUrl` or the `createdMilestone`. */
    readonly details?: Record<string, unknown>,
  ) {
    super(`${operation} rejected by ${engagementId}: ${reason}`);
  }
}
