/** Why an operation is refused by the engagement's rules; `code` becomes the update failure's type. */
export type EngagementRuleCode =
  | 'engagement_closed'
  | 'contract_not_active'
  | 'unknown_milestone'
  | 'milestone_not_fundable'
  | 'milestone_not_funded'
  | 'budget_exceeded'
  | 'already_in_progress'
  | 'nothing_to_retry'
  | 'already_hired'
  | 'approvals_in_flight'
  | 'idempotency_key_mismatch';

/**
 * Refusals that only say "not now, another intent is under way": the update is rejected before it is accepted, so
 * nothing is remembered under its key and the same key succeeds once the other intent has settled.
 */
export const WAIT_AND_REPEAT_CODES: readonly EngagementRuleCode[] = [
  'approvals_in_flight',
  'already_in_progress',
];

export class EngagementRuleError extends Error {
  override readonly name = 'EngagementRuleError';
  constructor(
    readonly code: EngagementRuleCode,
    message: string,
    /** Structured facts for the caller, e.g. the open intents that block an end. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}
