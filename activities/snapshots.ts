import type { Approval, ContractDetail, Milestone } from '../opentrain';
import type { ApprovalSnapshot, ContractSnapshot, MilestoneSnapshot } from '../domain/engagement-model';

/** Client objects → the plain snapshots the workflow keeps (only the fields it uses; masked trainer identity). */

const APPROVAL_FIELDS = [
  'id',
  'type',
  'status',
  'contractId',
  'milestoneId',
  'jobId',
  'proposalId',
  'approvalUrl',
  'expiresAt',
  'resolvedAt',
  'result',
  'createdAt',
] as const satisfies readonly (keyof ApprovalSnapshot)[];

const MILESTONE_FIELDS = [
  'id',
  'name',
  'description',
  'amountCents',
  'status',
  'dueDate',
  'invoiceId',
  'milestoneNumber',
] as const satisfies readonly (keyof MilestoneSnapshot)[];

/** The named fields only, an absent one as `null`: snapshots are plain JSON in the workflow's history. */
type Picked<T, K extends keyof T> = {
  [P in K]-?: Exclude<T[P], undefined> | (undefined extends T[P] ? null : never);
};

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Picked<T, K> {
  return Object.fromEntries(keys.map((key) => [key, source[key] ?? null])) as Picked<T, K>;
}

export function toApprovalSnapshot(a: Approval): ApprovalSnapshot {
  return pick(a, APPROVAL_FIELDS);
}

export function toMilestoneSnapshot(m: Milestone): MilestoneSnapshot {
  return pick(m, MILESTONE_FIELDS);
}

export function toContractSnapshot(c: ContractDetail): ContractSnapshot {
  return {
    id: c.id,
    status: c.status,
    jobId: c.jobId,
    proposalId: c.proposalId,
    trainer: { displayName: c.freelancer.displayName, profilePath: c.freelancer.profilePath },
    jobDmConversationId: c.jobDmConversationId ?? null,
    milestones: c.milestones.map(toMilestoneSnapshot),
  };
}
