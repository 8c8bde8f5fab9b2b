import type { PendingApproval } from '../../../domain/engagement-view';
import type { E2eStack } from './stack';
import { waitForState } from './wait';

/** A fresh sandbox proposal and the engagement for it, started through the client library. */
export async function startEngagement(
  stack: E2eStack,
  firstMilestone: { name: string; amountUsd: number } = { name: 'x', amountUsd: 25 },
): Promise<{ proposalId: string; engagementId: string }> {
  const { proposalId } = await stack.control.createProposal({ token: stack.token });
  const { engagementId } = await stack.engagements.start({ proposalId, firstMilestone });
  return { proposalId, engagementId };
}

/** An engagement that has requested its hire and now waits for the human. */
export async function startAwaitingHire(
  stack: E2eStack,
  firstMilestone?: { name: string; amountUsd: number },
): Promise<{ engagementId: string; approval: PendingApproval }> {
  const { engagementId } = await startEngagement(stack, firstMilestone);
  const approval = await waitForState(
    () => stack.engagements.getState(engagementId),
    'the hire approval',
    (s) => s.pendingApprovals.find((a) => a.type === 'proposal_hire'),
  );
  return { engagementId, approval };
}
