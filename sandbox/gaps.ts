import type { Feature } from './catalog';

/**
 * Every decision the sandbox makes where OpenTrain's docs leave a [GAP], an [INFERENCE] or a [CONFLICT], in one
 * place; listed in docs/opentrain-api.md#gaps-sandbox.
 * Each constant names the choice; the comment says why.
 */

/**
 * [CONFLICT] the scopes matrix says milestone create/fund/approve and contract end need no claim (the
 * co-sign is the safeguard); every one of those endpoint pages documents `403 account_claim_required`.
 * We follow the endpoint pages.
 */
export const CLAIM_REQUIRED_FOR_PAYMENT_WRITES = true;

/** [GAP] a superseded hire approval is not one of the four documented statuses; `expired` is the closest. */
export const SUPERSEDED_APPROVAL_STATUS = 'expired';

/**
 * [GAP] when lazy expiry flips an approval we set `resolvedAt` to its `expiresAt` (the moment it actually
 * lapsed), not to the time of the read that noticed it.
 */
export const EXPIRED_RESOLVED_AT = 'expiresAt';

/** [GAP] hire 409 catalog has no reason for confirming a non-pending approval; ours. */
export const APPROVAL_NOT_PENDING_REASON = 'approval_not_pending';

/**
 * [GAP] the human picks card or credits at confirm time. The sandbox's human uses the credit balance
 * when it covers the whole charge (a HOLD in the ledger), otherwise the card on file (no ledger entry).
 */
export const FUNDING_PREFERENCE = 'credits_first';

/** [GAP] milestone API status strings beyond NOT_FUNDED / ACTIVE_FUNDED. */
export const MILESTONE_STATUS = {
  notFunded: 'NOT_FUNDED',
  activeFunded: 'ACTIVE_FUNDED',
  paid: 'PAID',
  cancelled: 'CANCELLED',
  refunded: 'REFUNDED',
} as const;

/**
 * [GAP] cancelling a milestone is a human act in the app with no documented API. The sandbox's human may
 * cancel only an unfunded milestone (a funded one would need a refund flow the docs do not describe; other
 * statuses answer 409 with this reason), and a pending funding request for it is declined at the same time, so
 * the agent waiting on it sees `approval.confirmed` (declined) instead of waiting 72 h.
 */
export const MILESTONE_CANCEL = {
  cancellableStatuses: [MILESTONE_STATUS.notFunded] as readonly string[],
  notCancellableReason: 'milestone_not_cancellable',
};

/** Documented: refunded and cancelled milestones are excluded from contract timelines. */
export const HIDDEN_MILESTONE_STATUSES: readonly string[] = [
  MILESTONE_STATUS.cancelled,
  MILESTONE_STATUS.refunded,
];

/**
 * [GAP] ending a contract with funded escrow releases the whole hold (milestone + its fees) back to
 * the credit balance (HOLD_RELEASE) and marks those milestones REFUNDED. Unfunded milestones stay NOT_FUNDED.
 */
export const RELEASE_ESCROW_ON_END = true;

/** [GAP] CAPTURE only touches reserved money; we sign it negative (money leaves the account). */
export const CAPTURE_SIGN = -1;

/**
 * [GAP] a fund request records a FUNDING invoice in PENDING_FUNDING (listed by /payments/pending,
 * announced by `payment.pending`) until the approval resolves: PAID on confirm, VOID on decline/expiry.
 * The hire's first invoice is created already paid at confirm.
 */
export const PENDING_INVOICE_ON_FUND_REQUEST = true;

/** [GAP] default page size of /updates; out-of-range limit or non-numeric cursor → 400. */
export const UPDATES_DEFAULT_LIMIT = 50;
export const UPDATES_MAX_LIMIT = 200;

/** [GAP] HTTP status of a created webhook. */
export const WEBHOOK_CREATED_STATUS = 201;
/** Documented: max subscriptions; [GAP] the error for the 11th: 409 with this reason. */
export const MAX_WEBHOOKS_PER_ACCOUNT = 10;
export const WEBHOOK_LIMIT_REASON = 'webhook_limit_reached';
/** [INFERENCE] plain http is accepted for these hosts only. */
export const HTTP_WEBHOOK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** Documented: 5 attempts in total, the 4 delays between them, the 10 s answer timeout. */
export const WEBHOOK_MAX_ATTEMPTS = 5;
export const WEBHOOK_RETRY_DELAYS_MS: readonly number[] = [60_000, 300_000, 1_800_000, 7_200_000];
export const WEBHOOK_TIMEOUT_MS = 10_000;
/**
 * [INFERENCE] the Platform API's threshold of 10; we count consecutive failed attempts (retries included),
 * reset by any 2xx.
 */
export const WEBHOOK_AUTO_DISABLE_AFTER_FAILURES = 10;
export const WEBHOOK_DISABLED_REASON = 'Disabled after repeated delivery failures';
/**
 * Signatures use the wall clock, not the sandbox clock: receivers check `t` against their own time, and a test
 * that advanced the sandbox clock by days must still see valid deliveries.
 */
export const SIGN_WITH_WALL_CLOCK = true;

/** [GAP] value formats of `billingUrl` and `claimUrl`; the sandbox points at its own origin. */
export const BILLING_PATH = '/billing';
export const CLAIM_PATH = '/claim';

/** [GAP] `details.mode` on a feature 403. */
export const FEATURE_OFF_MODE = 'OFF';

/** [GAP] 404 details by analogy with approvals/webhooks. */
export const NOT_FOUND_RESOURCES = {
  proposals: 'proposalId',
  approvals: 'approvalId',
  contracts: 'contractId',
  milestones: 'milestoneId',
  conversations: 'conversationId',
  webhooks: 'webhookId',
} as const;

/** [GAP] rate-limit headers are undocumented; the fault injector sends `Retry-After` (seconds). */
export const DEFAULT_RETRY_AFTER_SEC = 1;

/**
 * [GAP] sending a message is the viewer's own act, so it emits no `message.received`; ending a contract
 * directly (200) has no Public-API event (`contract.ended` is Platform-only) — readers see it on the contract.
 */
export const EVENTS_FOR_OWN_MESSAGES = false;

/** [GAP] default contract rates for proposals created without `rateUsd` (FIXED_PRICE: the hire amount). */
export const DEFAULT_RATE_CENTS: Readonly<Record<string, number | null>> = {
  FIXED_PRICE: null,
  PAY_PER_HOUR: 2_500,
  PAY_PER_LABEL: 6,
};

/** [GAP] id formats are undocumented; the sandbox uses a resource prefix and this many random bytes in hex. */
export const ID_RANDOM_BYTES = 8;

/**
 * [GAP] the docs say /auth/me tells whether the account is claimed but show no field for it. The
 * sandbox adds `account.claimed` (boolean) and, when unclaimed, `account.claimUrl` — what opentrain/ reads.
 */
export const REPORT_CLAIM_STATUS_ON_ME = true;

/** [INFERENCE] which feature flag each capabilities-probe entry reflects (null: always on). */
export const CAPABILITY_FEATURES: Readonly<Record<string, Feature | null>> = {
  draftImport: 'public_api_job_drafting',
  draftCreate: 'public_api_job_drafting',
  draftUpdate: 'public_api_job_drafting',
  draftUrlRead: 'public_api_job_drafting',
  publish: 'public_api_job_publishing',
  hiring: 'public_api_hiring',
  messagingWrites: 'public_api_messaging_writes',
  team: null,
  paymentsWrite: 'public_api_payments_write',
  credits: 'public_api_credits',
  webhooks: 'public_api_webhooks',
};

/** [GAP] the trainer's "Complete & Request Payout" is not modelled, so `needsReview` is always this. */
export const MILESTONE_NEEDS_REVIEW = false;

/**
 * [GAP] whether a pending funding invoice's `amountUsd` includes the fees. The documented example shows the
 * milestone's own amount ($300 for a $300 milestone), so the sandbox reports it net of fees.
 */
export const PENDING_PAYMENT_INCLUDES_FEES = false;

/**
 * [GAP] the message-mode wrapper key of `GET /messages?conversationId=` is undocumented; the sandbox uses
 * `messages` with `nextCursor` (a message id, null at the end), like the list mode's `conversations`.
 * `direction=older` (the default) pages newest first, `newer` oldest first; `cursor` is exclusive.
 */
export const MESSAGES_WRAPPER_KEY = 'messages';
export const MESSAGES_DEFAULT_LIMIT = 20;
export const MESSAGES_MAX_LIMIT = 100;

/**
 * [GAP] the checks "as in-app messaging" are not catalogued. The sandbox's choices:
 * - membership: a thread of another account is a 404 (it does not exist for you); the thread of an ended
 *   contract is closed to new messages: 403 `details.reason` `conversation_closed`.
 * - rate limit: more than this many sends per conversation per minute → 429 `RATE_LIMITED` with `Retry-After`.
 * - content policy: sharing off-platform contact details (an e-mail address) → 400 `details.reason`
 *   `content_policy_violation`, `details.field` `content`.
 */
export const CLOSED_CONVERSATION_REASON = 'conversation_closed';
export const MESSAGES_PER_MINUTE = 20;
export const CONTENT_POLICY_REASON = 'content_policy_violation';
export const CONTENT_POLICY_PATTERN = /[^\s@]+@[^\s@]+\.[a-z]{2,}/i;
