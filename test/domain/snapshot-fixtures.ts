import type { ApprovalSnapshot, ContractSnapshot, MilestoneSnapshot } from '../../domain/engagement-model';

/** Snapshots as the engagement activities hand them to the workflow, for the domain tests and the fake OpenTrain. */

export function approvalSnapshot(
  id: string,
  type: string,
  status = 'pending',
  extra: Partial<ApprovalSnapshot> = {},
): ApprovalSnapshot {
  return {
    id,
    type,
    status,
    contractId: 'c_1',
    milestoneId: null,
    jobId: 'job_1',
    proposalId: null,
    approvalUrl: `https://app.test/approvals/${id}`,
    expiresAt: '2026-06-15T10:00:00.000Z',
    resolvedAt: null,
    result: null,
    createdAt: '2026-06-12T10:00:00.000Z',
    ...extra,
  };
}

export function milestoneSnapshot(
  id: string,
  amountCents: number,
  status: string,
  milestoneNumber: number,
): MilestoneSnapshot {
  return {
    id,
    name: null,
    description: `work ${id}`,
    amountCents,
    status,
    dueDate: null,
    invoiceId: null,
    milestoneNumber,
  };
}

export function contractSnapshot(milestones: MilestoneSnapshot[], status = 'active'): ContractSnapshot {
  return {
    id: 'c_1',
    status,
    jobId: 'job_1',
    proposalId: 'p_1',
    trainer: { displayName: 'Maria G.', profilePath: '/profile/maria-g' },
    jobDmConversationId: 'conv_1',
    milestones,
  };
}
