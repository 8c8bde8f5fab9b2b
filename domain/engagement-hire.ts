import { addPending, park } from './engagement-approvals';
import type { Journal } from './engagement-journal';
import type { ApprovalSnapshot, ContractSnapshot, PendingApprovalRecord } from './engagement-model';
import { upsertMilestone } from './engagement-milestones';
import type { Blocker } from './engagement-view';
import { TERMINAL_PHASES } from './phases';

/** The way to a contract: the hire request, its approval, "Not a fit", and adopting the contract. */

export function block(j: Journal, now: string, blockers: Blocker[]): boolean {
  const changed = JSON.stringify(j.s.blockers) !== JSON.stringify(blockers);
  j.s.blockers = blockers;
  j.setPhase(now, 'blocked');
  if (changed) j.record(now, 'blocked', blockers.map((b) => `${b.kind}: ${b.message}`).join(' | '));
  return changed;
}

/**
 * The hire's answer is on its way: its request, or the read of its contract, is in flight. A query can already
 * show that answer applied (a worker applied it and died before its workflow task completed), while the task that
 * delivers it again also carries a caller's update, whose handler the SDK runs before activity results: such an
 * update is judged once the answer is in, not refused "not active yet" by a contract its caller has seen active.
 */
export function hireAnswerPending(j: Journal): boolean {
  const inFlight = j.s.inFlight;
  return (
    !j.s.contractId &&
    !TERMINAL_PHASES.includes(j.s.phase) &&
    (inFlight.includes('hire') || inFlight.includes('read:contract'))
  );
}

export function hireRequested(j: Journal, now: string, approval: ApprovalSnapshot): PendingApprovalRecord {
  if (approval.jobId) j.s.jobId = approval.jobId;
  j.s.blockers = [];
  const pending = addPending(j, now, 'hire', approval, j.s.hireAttempt, undefined);
  j.setPhase(now, 'awaiting_hire_approval');
  return pending;
}

/** The hire expired: ask again (true) while the policy allows, else park it until `retry` (false). */
export function hireExpired(j: Journal, now: string, approvalId: string): boolean {
  if (j.s.hireAttempt <= j.s.policy.maxReRequestsAfterExpiry) {
    j.s.hireAttempt += 1;
    j.setPhase(now, 'checking_preconditions');
    return true;
  }
  parkHire(
    j,
    now,
    approvalId,
    'expired',
    'The hire approval expired too many times; send `retry` to request it again.',
  );
  return false;
}

/** The human declined the hire: their decision stands until someone sends `retry` (it is not a failure). */
export function hireDeclined(j: Journal, now: string, approvalId: string): void {
  parkHire(j, now, approvalId, 'declined', 'The human declined the hire; send `retry` to ask again.');
}

function parkHire(
  j: Journal,
  now: string,
  approvalId: string,
  reason: 'expired' | 'declined',
  message: string,
): void {
  park(j, now, { action: 'hire', approvalId, reason });
  block(j, now, [{ kind: reason === 'expired' ? 'approval_expired' : 'approval_declined', message }]);
}

/** OpenTrain asked for the "Not a fit" confirmation; true when we may re-send with the override (once). */
export function notFitConfirmationRequired(j: Journal, now: string, overrideWasSent: boolean): boolean {
  j.s.notFitSeen = true;
  if (overrideWasSent) {
    j.s.notFitOverrideRefused = true;
    j.record(now, 'not_fit_override_refused', 'OpenTrain asked again although the override was sent');
    return false;
  }
  j.record(
    now,
    'not_fit_confirmation_required',
    j.s.confirmNotFit ? 're-sending with the override' : 'waiting for confirmNotFit',
  );
  return j.s.confirmNotFit;
}

/** Send `confirmNotFitOverride` only after OpenTrain asked for it and the input or a human confirmed it. */
export function hireOverride(j: Journal): boolean {
  return j.s.notFitSeen && j.s.confirmNotFit;
}

/** The hire is done (confirmed, or found already accepted): adopt the contract as the human confirmed it. */
export function hired(j: Journal, now: string, contract: ContractSnapshot): void {
  const s = j.s;
  s.hiredContractId = undefined;
  s.contractId = contract.id;
  s.jobId = contract.jobId;
  s.trainer = contract.trainer;
  s.jobDmConversationId = contract.jobDmConversationId ?? undefined;
  s.blockers = [];
  s.parked = s.parked.filter((p) => p.action !== 'hire');
  const firstNumber = Math.min(
    ...contract.milestones.map((m) => m.milestoneNumber ?? Number.MAX_SAFE_INTEGER),
  );
  for (const m of contract.milestones) upsertMilestone(j, now, m, m.milestoneNumber === firstNumber);
  j.record(now, 'hired', `contract ${contract.id} with ${contract.trainer.displayName}`);
  j.setPhase(now, contract.status === 'ended' ? 'ended' : 'active');
}
