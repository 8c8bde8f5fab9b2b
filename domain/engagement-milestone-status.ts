/** OpenTrain milestone status strings the engagement reasons about; every other string stays opaque. */

export const NOT_FUNDED = 'NOT_FUNDED';
export const ACTIVE_FUNDED = 'ACTIVE_FUNDED';
/**
 * [GAP] OpenTrain documents only NOT_FUNDED and ACTIVE_FUNDED (docs/opentrain-api.md#milestones). After a confirmed
 * release we record `PAID` (the app's wording, and the sandbox's choice) until a contract read tells us OpenTrain's
 * own string.
 */
export const RELEASED_STATUS = 'PAID';
/** [GAP] Inferred names (the sandbox uses them too); timelines never list them (docs/opentrain-api.md#contracts). */
export const REFUNDED_STATUS = 'REFUNDED';
export const CANCELLED_STATUS = 'CANCELLED';

/** Statuses that mean the escrow was funded at some point (charged against the budget). */
export function isFundedOrLater(status: string): boolean {
  return status !== NOT_FUNDED && !isWithdrawn(status);
}

/** Refunded or cancelled milestones never count as money moved. */
export function isWithdrawn(status: string): boolean {
  return status === CANCELLED_STATUS || status === REFUNDED_STATUS;
}

export function isReleased(status: string): boolean {
  return status === RELEASED_STATUS || status === 'RELEASED';
}

/**
 * [INFERENCE] (docs/opentrain-api.md#gaps-client-and-engagement) an ended contract releases its unspent escrow;
 * refunded and cancelled milestones drop out of the contract's timeline. So a milestone we hold as ACTIVE_FUNDED
 * that the timeline read after the end no longer lists was refunded. Any other unlisted milestone keeps its
 * status: no money of it was in escrow (an unfunded one may have been cancelled, which moves nothing).
 */
export function statusOnceUnlistedAfterEnd(status: string): string {
  return status === ACTIVE_FUNDED ? REFUNDED_STATUS : status;
}

/**
 * [INFERENCE] An active contract's timeline leaves out refunded and cancelled milestones: one we hold that is
 * no longer listed was refunded (it was funded) or cancelled (it was not). A paid one stays paid.
 */
export function statusOnceUnlistedWhileActive(status: string): string {
  if (status === ACTIVE_FUNDED) return REFUNDED_STATUS;
  return status === NOT_FUNDED ? CANCELLED_STATUS : status;
}
