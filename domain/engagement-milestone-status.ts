/** OpenTrain milestone status strings the engagement reasons about; every other string stays opaque. */

export const NOT_FUNDED = 'NOT_FUNDED';
export const ACTIVE_FUNDED = 'ACTIVE_FUNDED';
/**
 * [GAP] REFERENCE §5.1 documents only NOT_FUNDED and ACTIVE_FUNDED. After a confirmed release we record `PAID`
 * (the app's wording, and the sandbox's choice) until a contract read tells us OpenTrain's own string.
 */
export const RELEASED_STATUS = 'PAID';

/** Statuses that mean the escrow was funded at some point (charged against the budget). */
export function isFundedOrLater(status: string): boolean {
  return status !== NOT_FUNDED && !isWithdrawn(status);
}

/** [GAP] Refunded or cancelled milestones (names inferred, §5.1) never count as money moved. */
export function isWithdrawn(status: string): boolean {
  return status === 'CANCELLED' || status === 'REFUNDED';
}

export function isReleased(status: string): boolean {
  return status === RELEASED_STATUS || status === 'RELEASED';
}
