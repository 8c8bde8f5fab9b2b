import type { ParkedItem } from './engagement-view';
import type { Journal } from './engagement-journal';
import {
  APPROVAL_TYPE_BY_ACTION,
  CLOSED_APPROVALS_LIMIT,
  EARLY_SIGNAL_LIMIT,
  type ApprovalAction,
  type ApprovalSnapshot,
  type PendingApprovalRecord,
} from './engagement-model';

/**
 * The approvals the engagement waits for (hire, fund, release, end), the ones parked until `retry`, and the
 * inbox of `approvalResolved` signals that wake the waits.
 */

/** What became of an `approvalResolved` signal. */
export type SignalOutcome = 'applied' | 'buffered' | 'stale' | 'unknown';

/** In-flight keys of requests that create approvals (`hire`, `fund:<id>`, `release:<id>`, `end`). */
const REQUEST_KEY = /^(hire|end|fund:|release:)/;

export function pendingFor(
  j: Journal,
  action: ApprovalAction,
  milestoneId?: string,
): PendingApprovalRecord | undefined {
  return j.s.pending.find((p) => p.action === action && p.milestoneId === milestoneId);
}

export function addPending(
  j: Journal,
  now: string,
  action: ApprovalAction,
  approval: ApprovalSnapshot,
  attempt: number,
  milestoneId: string | undefined,
  intentKey?: string,
): PendingApprovalRecord {
  const existing = j.s.pending.find((p) => p.approvalId === approval.id);
  if (existing) return existing; // OpenTrain returned the same pending approval: nothing new to wait for.
  const pending: PendingApprovalRecord = {
    approvalId: approval.id,
    action,
    type: approval.type || APPROVAL_TYPE_BY_ACTION[action],
    milestoneId,
    approvalUrl: approval.approvalUrl,
    expiresAt: approval.expiresAt,
    createdAt: approval.createdAt,
    attempt,
    announced: false,
    remindersSentMs: [],
    ...(intentKey ? { intentKey } : {}),
  };
  j.s.pending.push(pending);
  j.s.parked = j.s.parked.filter((p) => !(p.action === action && p.milestoneId === milestoneId));
  j.record(now, 'approval_requested', `${pending.type} ${approval.id} (attempt ${attempt})`);
  return pending;
}

/** Late signals for a closed approval are recognised as stale. */
export function closeApprovalId(j: Journal, approvalId: string): void {
  delete j.s.signalled[approvalId];
  j.s.closedApprovalIds.push(approvalId);
  if (j.s.closedApprovalIds.length > CLOSED_APPROVALS_LIMIT) j.s.closedApprovalIds.shift();
}

/** The approval left `pending`: drop it from the waits and record the outcome. */
export function removeClosed(
  j: Journal,
  now: string,
  approval: ApprovalSnapshot,
): PendingApprovalRecord | undefined {
  const pending = j.s.pending.find((p) => p.approvalId === approval.id);
  if (!pending) return undefined;
  j.s.pending = j.s.pending.filter((p) => p !== pending);
  closeApprovalId(j, approval.id);
  j.record(now, `approval_${approval.status}`, `${pending.type} ${approval.id}`);
  return pending;
}

export function updatePending(
  j: Journal,
  approvalId: string,
  change: (p: PendingApprovalRecord) => void,
): void {
  const p = j.s.pending.find((x) => x.approvalId === approvalId);
  if (p) change(p);
}

export function park(j: Journal, now: string, item: ParkedItem): void {
  j.s.parked = j.s.parked.filter((p) => !(p.action === item.action && p.milestoneId === item.milestoneId));
  j.s.parked.push(item);
  j.record(now, 'parked', `${item.action}${item.milestoneId ? ` ${item.milestoneId}` : ''}: ${item.reason}`);
}

export function findParked(
  j: Journal,
  ref: { approvalId?: string; milestoneId?: string },
): ParkedItem | undefined {
  return j.s.parked.find(
    (p) =>
      (ref.approvalId && p.approvalId === ref.approvalId) ||
      (ref.milestoneId && p.milestoneId === ref.milestoneId),
  );
}

export function noteResolution(j: Journal, approvalId: string, status: string): SignalOutcome {
  const s = j.s;
  if (s.pending.some((p) => p.approvalId === approvalId)) {
    s.signalled[approvalId] = status;
    return 'applied';
  }
  if (s.closedApprovalIds.includes(approvalId)) return 'stale';
  if (!s.inFlight.some((k) => REQUEST_KEY.test(k))) return 'unknown';
  // The request that created it may still be returning: keep it (bounded) so the wait sees it.
  s.signalled[approvalId] = status;
  const ids = Object.keys(s.signalled);
  if (ids.length > EARLY_SIGNAL_LIMIT) delete s.signalled[ids[0] as string];
  return 'buffered';
}

/** Earliest `expiresAt` among pending approvals (NextApprovalExpiry), undefined when none is pending. */
export function nextApprovalExpiry(j: Journal): string | undefined {
  return j.s.pending.map((p) => p.expiresAt).sort()[0];
}
