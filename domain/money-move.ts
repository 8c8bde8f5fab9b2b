import { isFundedOrLater, isReleased, isWithdrawn, NOT_FUNDED } from './engagement-milestone-status';

/**
 * The pure decisions of a money move (fund, release, end): how to read a failed request, and what OpenTrain's
 * state says happened when the answer was in doubt. The workflow's routine (workflows/money-move.ts) executes
 * them; nothing here knows Temporal.
 */

export type MoveAction = 'fund' | 'release' | 'end';

export interface MoneyMove {
  action: MoveAction;
  /** For fund and release. */
  milestoneId?: string;
}

/** A request that failed after its retries, as the activity failure told it. */
export interface RequestFailure {
  /** The API's `details.reason` or `code` (e.g. `milestone_not_funded`, `UNAUTHORIZED`), or a Temporal type. */
  type?: string;
  /** OpenTrain's HTTP status, when it answered at all. */
  status?: number;
  message: string;
}

/**
 * - `in_doubt`: the request may have committed (5xx, timeout, reset, a body that broke the schema) or the answer
 *   contradicts what we knew (any 409): only OpenTrain's state can tell.
 * - `access`: the token cannot see or do it (401/403/404): a human has to fix access; nothing is decided.
 * - `refused`: any other 4xx, a business refusal that moved nothing.
 */
export type FailureClass = 'in_doubt' | 'access' | 'refused';

const ACCESS_TYPES = new Set(['UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND']);
const ACCESS_STATUSES = new Set([401, 403, 404]);

export function isAccessFailure(failure: RequestFailure): boolean {
  return (
    (failure.status !== undefined && ACCESS_STATUSES.has(failure.status)) ||
    (failure.type !== undefined && ACCESS_TYPES.has(failure.type))
  );
}

export function classifyRequestFailure(failure: RequestFailure): FailureClass {
  if (isAccessFailure(failure)) return 'access';
  if (failure.status === 409) return 'in_doubt';
  if (failure.status !== undefined && failure.status >= 400 && failure.status < 500 && failure.status !== 429)
    return 'refused';
  // No HTTP status: a timeout, a reset, a schema break, or retries exhausted on 5xx/429.
  return 'in_doubt';
}

/** What a contract read showed about the move; `milestoneStatus` undefined = the timeline does not list it. */
export interface MoveObservation {
  contractStatus: string;
  milestoneStatus?: string;
}

export type MoveDecision =
  /** The step already happened (e.g. the human confirmed while we were retrying): settle as done. */
  | { kind: 'done' }
  /** Nothing happened yet: ask again (OpenTrain returns a live pending approval instead of a second one). */
  | { kind: 'request_again' }
  /** OpenTrain refused and its state agrees nothing moved: settle as refused with the failure. */
  | { kind: 'refused' }
  /** The milestone was cancelled or refunded on OpenTrain's side: it can no longer move. */
  | { kind: 'withdrawn' }
  /** The contract ended: fold into `ended` (for `end` itself that is `done`). */
  | { kind: 'contract_ended' };

/** Decide from OpenTrain's state after an in-doubt answer — never a blind retry, never a give-up. */
export function decideAfterRead(
  move: MoneyMove,
  failure: RequestFailure,
  observed: MoveObservation,
): MoveDecision {
  const conflict = failure.status === 409;
  if (observed.contractStatus === 'ended')
    return move.action === 'end' ? { kind: 'done' } : { kind: 'contract_ended' };
  if (move.action === 'end') return conflict ? { kind: 'refused' } : { kind: 'request_again' };

  const status = observed.milestoneStatus;
  if (status === undefined || isWithdrawn(status)) return { kind: 'withdrawn' };
  if (move.action === 'fund') {
    if (isFundedOrLater(status)) return { kind: 'done' };
    return status === NOT_FUNDED && !conflict ? { kind: 'request_again' } : { kind: 'refused' };
  }
  if (isReleased(status)) return { kind: 'done' };
  if (status === NOT_FUNDED) return { kind: 'refused' };
  return conflict ? { kind: 'refused' } : { kind: 'request_again' };
}

/** How long to wait before reading again when even the read failed: doubling from 1 min to 1 h. */
export function doubtBackoffMs(round: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, round - 1), 60 * 60_000);
}

/** In-doubt rounds answered straight away before the routine backs off on a durable timer. */
export const IMMEDIATE_DOUBT_ROUNDS = 3;
