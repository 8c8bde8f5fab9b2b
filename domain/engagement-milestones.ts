import type { Journal } from './engagement-journal';
import {
  ACTIVE_FUNDED,
  RELEASED_STATUS,
  isFundedOrLater,
  isReleased,
  isWithdrawn,
  statusOnceUnlistedAfterEnd,
  statusOnceUnlistedWhileActive,
} from './engagement-milestone-status';
import type {
  ApprovalSnapshot,
  ContractSnapshot,
  MilestoneEvidence,
  MilestoneRecord,
  MilestoneSnapshot,
  PendingApprovalRecord,
} from './engagement-model';
import { formatCents } from './money';

/** The contract's milestones as we hold them: every read of OpenTrain wins over what we recorded. */

export function findMilestone(j: Journal, id: string): MilestoneRecord | undefined {
  return j.s.milestones.find((m) => m.id === id);
}

export function upsertMilestone(
  j: Journal,
  now: string,
  m: MilestoneSnapshot,
  viaHire: boolean,
): MilestoneRecord {
  let record = findMilestone(j, m.id);
  if (!record) {
    record = {
      id: m.id,
      name: m.name,
      description: m.description,
      amountCents: m.amountCents ?? 0,
      status: m.status,
      dueDate: m.dueDate,
      viaHire,
      budgetReserved: false,
    };
    j.s.milestones.push(record);
  }
  record.name = m.name;
  record.description = m.description;
  record.amountCents = m.amountCents ?? record.amountCents;
  record.dueDate = m.dueDate;
  record.status = m.status;
  if (m.invoiceId) record.evidence = { ...record.evidence, invoiceId: m.invoiceId };
  if (isWithdrawn(m.status)) record.budgetReserved = false;
  else if (isFundedOrLater(m.status)) {
    record.fundedAt ??= now;
    record.budgetReserved = !record.viaHire;
  }
  if (isReleased(m.status)) record.releasedAt ??= now;
  return record;
}

/**
 * A contract read while the contract is active. OpenTrain's timeline leaves out refunded and cancelled
 * milestones, so one we hold that is no longer listed was withdrawn on OpenTrain's side: it no longer counts
 * against the budget and can no longer be funded or released.
 */
export function syncActiveContract(
  j: Journal,
  now: string,
  contract: ContractSnapshot,
  /** Milestones we held when the read started: one created while it ran is not missing from it. */
  heldBeforeRead: readonly string[],
): void {
  for (const m of contract.milestones) upsertMilestone(j, now, m, false);
  const why = 'withdrawn on OpenTrain (no longer on its timeline)';
  markUnlisted(j, now, contract, why, heldBeforeRead, statusOnceUnlistedWhileActive);
}

/**
 * The contract read once more after it ended settles what OpenTrain did with the escrow: milestones still
 * listed take their listed status; a funded one no longer listed was refunded.
 */
export function settleEndedContract(j: Journal, now: string, contract: ContractSnapshot): void {
  for (const m of contract.milestones) upsertMilestone(j, now, m, false);
  markUnlisted(
    j,
    now,
    contract,
    'after the end',
    j.s.milestones.map((m) => m.id),
    statusOnceUnlistedAfterEnd,
  );
  j.record(now, 'contract_settled', `contract ${contract.id} read after the end`);
}

function markUnlisted(
  j: Journal,
  now: string,
  contract: ContractSnapshot,
  why: string,
  candidates: readonly string[],
  statusOnceUnlisted: (status: string) => string,
): void {
  const listed = new Set(contract.milestones.map((m) => m.id));
  for (const record of j.s.milestones) {
    if (listed.has(record.id) || !candidates.includes(record.id)) continue;
    const status = statusOnceUnlisted(record.status);
    if (status === record.status) continue;
    record.status = status;
    record.budgetReserved = false;
    j.record(now, 'reconciled', `milestone ${record.id} is ${status} ${why}`);
  }
}

export function milestoneCreated(j: Journal, now: string, milestone: MilestoneSnapshot): MilestoneRecord {
  const record = upsertMilestone(j, now, milestone, false);
  j.record(now, 'milestone_created', `${milestone.id} (${formatCents(record.amountCents)})`);
  return record;
}

/** A confirmed fund or release approval: the milestone moved, with the approval's evidence. */
export function applyConfirmedMove(
  j: Journal,
  now: string,
  pending: PendingApprovalRecord,
  approval: ApprovalSnapshot,
): void {
  const result = approval.result ?? {};
  const m = pending.milestoneId ? findMilestone(j, pending.milestoneId) : undefined;
  if (!m) return;
  if (pending.action === 'fund') {
    m.status = ACTIVE_FUNDED;
    m.fundedAt ??= now;
    m.budgetReserved = true;
    m.evidence = { ...m.evidence, ...pickEvidence(result, ['invoiceId', 'paymentIntentId']) };
  }
  if (pending.action === 'release') {
    m.status = RELEASED_STATUS;
    m.releasedAt ??= now;
    m.evidence = { ...m.evidence, ...pickEvidence(result, ['invoiceId', 'payoutTransactionId']) };
  }
}

function pickEvidence(result: Record<string, unknown>, keys: (keyof MilestoneEvidence)[]): MilestoneEvidence {
  const out: MilestoneEvidence = {};
  for (const key of keys) {
    const value = result[key];
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}
