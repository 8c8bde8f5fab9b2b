/**
 * The scope, feature and event names the sandbox enforces (docs/opentrain-api.md#scopes-claim-and-features,
 * docs/opentrain-api.md#event-types).
 */

export const SCOPES = [
  'jobs:read',
  'jobs:write',
  'proposals:read',
  'proposals:write',
  'messages:read',
  'messages:write',
  'payments:read',
  'payments:write',
  'team:read',
  'team:write',
  'webhooks:manage',
] as const;
export type Scope = (typeof SCOPES)[number];

export const FEATURES = [
  'public_api_job_drafting',
  'public_api_job_publishing',
  'public_api_hiring',
  'public_api_payments_write',
  'public_api_messaging_writes',
  'public_api_webhooks',
  'public_api_credits',
] as const;
export type Feature = (typeof FEATURES)[number];

/** Every public event type with the read scope a token needs to see it (docs/opentrain-api.md#event-types). */
export const EVENT_TYPE_SCOPES = {
  'proposal.received': 'proposals:read',
  'proposal.status_changed': 'proposals:read',
  'message.received': 'messages:read',
  'contract.created': 'payments:read',
  'milestone.status_changed': 'payments:read',
  'payment.pending': 'payments:read',
  'approval.confirmed': 'payments:read',
  'contract.budget_state_changed': 'payments:read',
} as const satisfies Record<string, Scope>;
export type EventType = keyof typeof EVENT_TYPE_SCOPES;
export const EVENT_TYPES = Object.keys(EVENT_TYPE_SCOPES) as [EventType, ...EventType[]];

/** `:write` implies the matching `:read` (docs/opentrain-api.md#scopes-claim-and-features). */
export function hasScope(granted: readonly string[], needed: string): boolean {
  if (granted.includes(needed)) return true;
  return needed.endsWith(':read') && granted.includes(needed.replace(/:read$/, ':write'));
}

export const PAYMENT_TYPES = ['FIXED_PRICE', 'PAY_PER_HOUR', 'PAY_PER_LABEL'] as const;
export type PaymentType = (typeof PAYMENT_TYPES)[number];
