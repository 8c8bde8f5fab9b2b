import { contractEnded, setMilestoneStatus } from './actions';
import { declineApproval, findPending } from './approvals';
import type { SandboxContext } from './context';
import { conflict, notFound } from './errors';
import { MILESTONE_CANCEL, MILESTONE_STATUS } from './gaps';
import type { Milestone } from './model';

/**
 * The human cancels a milestone in the app (there is no Public API for it; the control API stands in). Afterwards
 * fund answers 409 `milestone_cancelled` and the milestone leaves the contract's timeline
 * (docs/opentrain-api.md#contracts, docs/opentrain-api.md#milestones).
 */
export function cancelMilestone(ctx: SandboxContext, milestoneId: string): Milestone {
  const milestone = ctx.store.state.milestones[milestoneId];
  const contract = milestone ? ctx.store.state.contracts[milestone.contractId] : undefined;
  if (!milestone || !contract) throw notFound('milestones', milestoneId);
  if (contract.status === 'ended') throw contractEnded(contract);
  if (!MILESTONE_CANCEL.cancellableStatuses.includes(milestone.status)) {
    throw conflict(
      MILESTONE_CANCEL.notCancellableReason,
      `Milestone is ${milestone.status}; only ${MILESTONE_CANCEL.cancellableStatuses.join(', ')} milestones can be cancelled.`,
    );
  }
  const funding = findPending(ctx, 'milestone_fund', { milestoneId });
  if (funding) declineApproval(ctx, funding.id);
  setMilestoneStatus(ctx, contract, milestone, MILESTONE_STATUS.cancelled);
  return milestone;
}
