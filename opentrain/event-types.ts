/** The eight event types of the Public API (docs/opentrain-api.md#event-types), alike in `/updates` and webhooks. */
export const OPENTRAIN_EVENT_TYPES = [
  'proposal.received',
  'proposal.status_changed',
  'message.received',
  'contract.created',
  'milestone.status_changed',
  'payment.pending',
  'approval.confirmed',
  'contract.budget_state_changed',
] as const;

export type OpenTrainEventType = (typeof OPENTRAIN_EVENT_TYPES)[number];

export function isOpenTrainEventType(type: string): type is OpenTrainEventType {
  return (OPENTRAIN_EVENT_TYPES as readonly string[]).includes(type);
}
