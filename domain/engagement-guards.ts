import { findParked, pendingFor } from './engagement-approvals';
import { checkBudget } from './engagement-budget';
import { EngagementRuleError } from './engagement-errors';
import type { Journal } from './engagement-journal';
import { ACTIVE_FUNDED, NOT_FUNDED, isFundedOrLater, isReleased } from './engagement-milestone-status';
import type { MilestoneRecord } from './engagement-model';
import { findMilestone } from './engagement-milestones';
import type { ParkedItem } from './engagement-view';
import { TERMINAL_PHASES } from './phases';

/**
 * The engagement's rules, synchronous: update validators run them (a refused update leaves no trace in
 * history) and the handlers run them again before acting.
 */

export function checkOpen(j: Journal): void {
  if (TERMINAL_PHASES.includes(j.s.phase))
    throw new EngagementRuleError('engagement_closed', `the engagement is ${j.s.phase}`);
}

function checkContractActive(j: Journal): void {
  checkOpen(j);
  if (!j.s.contractId || j.s.phase === 'awaiting_hire_approval')
    throw new EngagementRuleError('contract_not_active', 'the contract is not active yet');
  if (j.s.phase === 'awaiting_end_approval' || j.s.inFlight.includes('end') || openEnd(j))
    throw new EngagementRuleError('contract_not_active', 'the contract is being ended');
}

function openEnd(j: Journal): boolean {
  return (j.s.intents ?? []).some((i) => i.status === 'open' && i.kind === 'end');
}

function requireMilestone(j: Journal, id: string): MilestoneRecord {
  const m = findMilestone(j, id);
  if (!m) throw new EngagementRuleError('unknown_milestone', `milestone ${id} is not part of this contract`);
  return m;
}

/**
 * Whether OpenTrain's timeline already shows this move done (a contract read can arrive before the approval's
 * own read closes it): such a move no longer stands in the way of the next step.
 */
function shownDone(j: Journal, action: string | undefined, milestoneId: string | undefined): boolean {
  const m = milestoneId ? findMilestone(j, milestoneId) : undefined;
  if (!m || !action) return false;
  return action === 'fund' ? isFundedOrLater(m.status) : action === 'release' && isReleased(m.status);
}

/** An intent that is still moving this milestone (requesting, or waiting for the human). */
function openMoveOn(j: Journal, milestoneId: string) {
  return (j.s.intents ?? []).find(
    (i) => i.status === 'open' && i.milestoneId === milestoneId && !shownDone(j, i.move?.action, milestoneId),
  );
}

export function checkAddMilestone(j: Journal, amountCents: number, fund: boolean): void {
  checkContractActive(j);
  if (fund) checkBudget(j.s, amountCents);
}

export function checkFund(j: Journal, milestoneId: string): void {
  checkContractActive(j);
  const m = requireMilestone(j, milestoneId);
  if (m.status !== NOT_FUNDED)
    throw new EngagementRuleError('milestone_not_fundable', `milestone ${milestoneId} is ${m.status}`);
  checkNotMoving(j, 'funding', milestoneId);
  if (!m.budgetReserved) checkBudget(j.s, m.amountCents);
}

export function checkRelease(j: Journal, milestoneId: string): void {
  checkContractActive(j);
  const m = requireMilestone(j, milestoneId);
  if (m.status !== ACTIVE_FUNDED)
    throw new EngagementRuleError(
      'milestone_not_funded',
      `milestone ${milestoneId} is ${m.status}, not ACTIVE_FUNDED`,
    );
  checkNotMoving(j, 'release', milestoneId);
}

function checkNotMoving(j: Journal, what: string, milestoneId: string): void {
  const intent = openMoveOn(j, milestoneId);
  const action = what === 'funding' ? 'fund' : 'release';
  if (intent || j.s.inFlight.includes(`${action}:${milestoneId}`) || pendingFor(j, action, milestoneId)) {
    const other = intent && intent.move?.action !== action ? intent.move?.action : undefined;
    throw new EngagementRuleError(
      'already_in_progress',
      other
        ? `the ${other} of ${milestoneId} is still being settled; ask again once it has`
        : `${what} of ${milestoneId} is already requested`,
      intent ? { intentKey: intent.key } : undefined,
    );
  }
}

/**
 * Ending while a fund or release is open would leave that approval untracked (and its money in limbo): the
 * caller is told which ones, and ends once they have settled.
 */
export function checkEnd(j: Journal): void {
  checkContractActive(j);
  const moving = (j.s.intents ?? []).filter(
    (i) => i.status === 'open' && i.milestoneId !== undefined && !shownDone(j, i.move?.action, i.milestoneId),
  );
  const pending = j.s.pending.filter(
    (p) => (p.action === 'fund' || p.action === 'release') && !shownDone(j, p.action, p.milestoneId),
  );
  if (!moving.length && !pending.length) return;
  const openIntents = moving.map((i) => ({
    key: i.key,
    kind: i.kind,
    milestoneId: i.milestoneId,
    approvalId: j.s.pending.find((p) => p.intentKey === i.key)?.approvalId,
  }));
  const untracked = pending
    .filter((p) => !moving.some((i) => i.key === p.intentKey))
    .map((p) => ({ kind: p.action, milestoneId: p.milestoneId, approvalId: p.approvalId }));
  const all = [...openIntents, ...untracked];
  throw new EngagementRuleError(
    'approvals_in_flight',
    `cannot end while ${all.length} fund/release request(s) are open: ${all
      .map((i) => `${i.kind} ${i.milestoneId ?? ''}${i.approvalId ? ` (${i.approvalId})` : ''}`.trim())
      .join(', ')}; end again once they have settled`,
    { openIntents: all },
  );
}

export function checkConfirmNotFit(j: Journal): void {
  checkOpen(j);
  if (j.s.contractId) throw new EngagementRuleError('already_hired', 'the proposal is already hired');
}

/** The parked item a `retry` refers to. */
export function checkRetry(j: Journal, ref: { approvalId?: string; milestoneId?: string }): ParkedItem {
  checkOpen(j);
  const item = findParked(j, ref);
  if (!item) throw new EngagementRuleError('nothing_to_retry', 'no expired or declined request matches');
  if (item.action === 'fund' && item.milestoneId) checkFund(j, item.milestoneId);
  if (item.action === 'release' && item.milestoneId) checkRelease(j, item.milestoneId);
  if (item.action === 'end') checkEnd(j);
  return item;
}
