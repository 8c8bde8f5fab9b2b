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
