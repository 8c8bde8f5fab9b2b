import { z } from 'zod';

/**
 * Every point where OpenTrain's docs leave a [GAP], an [INFERENCE] or a [CONFLICT] and the client had to pick a
 * behaviour (docs/opentrain-api.md#gaps-client-and-engagement).
 * Each decision lives here once; the other files import it.
 */

/** [GAP] OpenTrain's own CLI reads OT_API_TOKEN, its API guide OPENTRAIN_API_TOKEN. Both work; the first one set wins. */
export const TOKEN_ENV_NAMES = ['OPENTRAIN_API_TOKEN', 'OT_API_TOKEN'] as const;

/**
 * [INFERENCE] which failures may succeed when repeated. 429 and 5xx yes (the CLI retries 502/503/504; a 500 may
 * be transient too, and activities bound retries anyway); every other 4xx is a business answer and will not change.
 * Network errors and timeouts are retryable as well (decided in http.ts, where they are detected).
 */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** [GAP] no Retry-After or rate-limit header is documented; we honour `Retry-After` whenever a response has one. */
export const RETRY_AFTER_HEADER = 'retry-after';

/** [GAP] a request-id header is not documented; `requestId` comes from the error body, else this header. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Non-JSON error bodies (proxies, gateways) are quoted in the error message up to this many characters. */
export const NON_JSON_ERROR_SNIPPET_CHARS = 200;

/**
 * [CONFLICT] the fund/approve examples omit `proposalId` while the field description says it is
 * `null`; [GAP] whether `jobDmConversationId` can be null. An absent id field therefore reads as `null`
 * (not applicable), while a present one must still be a string.
 */
export const idOrNull = z
  .string()
  .nullish()
  .transform((id) => id ?? null);

/**
 * [GAP] a hire may carry only a milestone `name`, so its milestone's `description` may come back null
 * or empty. We expose it as a string and read null/absent as ''.
 */
export const milestoneDescription = z
  .string()
  .nullish()
  .transform((text) => text ?? '');

/**
 * [GAP] no documented `/auth/me` field says whether the account is claimed. We read `account.claimed`
 * (boolean) and `account.claimUrl` when present — the sandbox sends them — and leave them `undefined` otherwise,
 * meaning "unknown": a claim-gated write then answers 403 `account_claim_required` with the claimUrl.
 */
export const claimedField = z.boolean().optional();

/**
 * [GAP] "200 ended or 202 approval". We tell the two apart by the HTTP status, as documented: 202 carries an
 * approval envelope, any other 2xx the `{ok, contractId, status}` body.
 */
export const END_CONTRACT_APPROVAL_STATUS = 202;

// [GAP] `rateUsd` is a unit rate (per hour, per label) and can be finer than a cent ($0.065 per label), so
// it stays in dollars in schemas.ts; every amount (`amountUsd`, `estimatedTotalUsd`, `fundedAmountUsd`) becomes
// integer cents there.

/**
 * [INFERENCE] the tolerance applies both ways: a timestamp more than 300 s in the future is rejected too
 * (clock skew beyond that is a misconfiguration or a forgery). The key is the full `whsec_…` string, and a header
 * may carry several `v1=` signatures (secret rotation); any one matching is enough.
 */
export const DEFAULT_WEBHOOK_TOLERANCE_SEC = 300;

// [GAP] request bodies are not validated in client.ts (no documented min/max rules); the server is the
// authority and answers 400 with `details.field`, which surfaces as an OpenTrainApiError. Our own inputs are
// validated earlier, by domain/inputs.ts.

/**
 * [GAP] the wrapper key of `GET /messages` in message mode is undocumented. We read `messages` (the
 * sandbox's choice) and, failing that, `items` or `data`, so a differently named list is still understood.
 */
export const MESSAGE_PAGE_KEYS = ['messages', 'items', 'data'] as const;
