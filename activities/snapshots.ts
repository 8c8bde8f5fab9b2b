import type { Approval, ContractDetail, Milestone } from '../opentrain';
import type { ApprovalSnapshot, ContractSnapshot, MilestoneSnapshot } from '../domain/engagement-model';

/** Client objects → the plain snapshots the workflow keeps (only the fields it uses; masked trainer identity). */

export function toApprovalSnapshot(a: Approval): ApprovalSnapshot {
  return {
    id: a.id,
    type: a.type,
    status: a.status,
    contractId: a.contractId ?? null,
    milestoneId: a.milestoneId ?? null,
    jobId: a.jobId ?? null,
    proposalId: a.proposalId ?? null,
    approvalUrl: a.approvalUrl,
    expiresAt: a.expiresAt,
    resolvedAt: a.resolvedAt ?? null,
    result: a.result ?? null,
    createdAt: a.createdAt,
  };
}

export function toMilestoneSnapshot(m: Milestone): MilestoneSnapshot {
  return {
    id: m.id,
    name: m.name,
    description: m.description,
    amountCents: m.amountCents ?? null,
    status: m.status,
    dueDate: m.dueDate ?? null,
    invoiceId: m.invoiceId ?? null,
    milestoneNumber: m.milestoneNumber,
  };
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
