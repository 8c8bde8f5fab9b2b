import type { EngagementSnapshot } from './engagement-model';
import type { EngagementState, MilestoneView } from './engagement-view';
import { EngagementMachine } from './engagement-machine';
import { centsToUsd } from './money';

/** The one place where the internal state (cents) becomes the public `state` query view (dollars). */
export function toEngagementState(snapshot: EngagementSnapshot): EngagementState {
  const totals = EngagementMachine.restore(snapshot).totalsCents();
  return {
    engagementId: snapshot.engagementId,
    phase: snapshot.phase,
    proposalId: snapshot.proposalId,
    jobId: snapshot.jobId,
    contractId: snapshot.contractId,
    jobDmConversationId: snapshot.jobDmConversationId,
    trainer: snapshot.trainer,
    blockers: snapshot.blockers.map((b) => ({ ...b })),
    pendingApprovals: snapshot.pending.map((p) => ({
      approvalId: p.approvalId,
      type: p.type,
      milestoneId: p.milestoneId,
      approvalUrl: p.approvalUrl,
      expiresAt: p.expiresAt,
      attempt: p.attempt,
    })),
    parked: snapshot.parked.map((p) => ({ ...p })),
    milestones: snapshot.milestones.map((m): MilestoneView => ({
      id: m.id,
      name: m.name,
      description: m.description,
      amountUsd: centsToUsd(m.amountCents),
      status: m.status,
      dueDate: m.dueDate,
      fundApprovalId: m.fundApprovalId,
      releaseApprovalId: m.releaseApprovalId,
      evidence: m.evidence ? { ...m.evidence } : undefined,
    })),
    budgetUsd: snapshot.budgetCents === undefined ? undefined : centsToUsd(snapshot.budgetCents),
    totals: {
      fundedUsd: centsToUsd(totals.fundedCents),
      releasedUsd: centsToUsd(totals.releasedCents),
      feesUsd: centsToUsd(totals.feesCents),
    },
    failureReason: snapshot.failureReason,
    history: snapshot.history.map((h) => ({ ...h })),
    updatedAt: snapshot.updatedAt,
  };
}
