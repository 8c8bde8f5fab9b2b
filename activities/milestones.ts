import { activityInfo, log } from '@temporalio/activity';
import type { ApprovalSnapshot, MilestoneSnapshot } from '../domain/engagement-model';
import { isFundedOrLater } from '../domain/engagement-milestone-status';
import { callOpenTrain, failureType } from './errors';
import type { EngagementOpenTrain } from './deps';
import { toApprovalSnapshot, toMilestoneSnapshot } from './snapshots';

export interface CreateMilestoneInput {
  contractId: string;
  description: string;
  name?: string;
  amountCents: number;
  dueDate?: string;
  /** Milestones the workflow already owns: never adopted as "the one an earlier attempt created". */
  knownMilestoneIds: string[];
  /** An earlier creation ended in doubt (it may have committed): look before creating, even on attempt 1. */
  reconcile?: boolean;
}

export type RequestFundingResult =
  | { kind: 'requested'; approval: ApprovalSnapshot }
  | { kind: 'already_funded'; milestone: MilestoneSnapshot };

export function createMilestoneActivities(openTrain: EngagementOpenTrain) {
  return {
    /**
     * Create an unfunded milestone (direct, 201). POST /milestones has no idempotency key, and a request can commit
     * and still fail (timeout, 500). So a retried attempt first reads the contract and adopts a milestone with the
     * same description, amount and name that the workflow does not know yet, instead of creating a second one.
     */
    async createMilestone(input: CreateMilestoneInput): Promise<MilestoneSnapshot> {
      if (input.reconcile || activityInfo().attempt > 1) {
        const contract = await callOpenTrain((o) => openTrain.getContract(input.contractId, o));
        const earlier = contract.milestones.find(
          (m) =>
            !input.knownMilestoneIds.includes(m.id) &&
            m.description === input.description &&
            m.amountCents === input.amountCents &&
            (m.name ?? undefined) === input.name,
        );
        if (earlier) {
          log.info('adopting the milestone an earlier attempt created', { milestoneId: earlier.id });
          return toMilestoneSnapshot(earlier);
        }
      }
      const created = await callOpenTrain((o) =>
        openTrain.createMilestone(
          input.contractId,
          {
            description: input.description,
            name: input.name,
            amountCents: input.amountCents,
            dueDate: input.dueDate,
          },
          o,
        ),
      );
      return toMilestoneSnapshot(created);
    },

    /**
     * Request escrow funding (co-signed; the same pending approval on a retry). A 409 `milestone_not_fundable` on a
     * milestone that is already funded proves the funding happened: reconciled by reading the contract.
     */
    async requestFunding(input: { contractId: string; milestoneId: string }): Promise<RequestFundingResult> {
      try {
        const envelope = await callOpenTrain((o) => openTrain.fundMilestone(input.milestoneId, o));
        return { kind: 'requested', approval: toApprovalSnapshot(envelope.approval) };
      } catch (err) {
        if (failureType(err) !== 'milestone_not_fundable') throw err;
        const contract = await callOpenTrain((o) => openTrain.getContract(input.contractId, o));
        const milestone = contract.milestones.find((m) => m.id === input.milestoneId);
        if (!milestone || !isFundedOrLater(milestone.status)) throw err;
        log.info('milestone already funded', { milestoneId: input.milestoneId, status: milestone.status });
        return { kind: 'already_funded', milestone: toMilestoneSnapshot(milestone) };
      }
    },

    /** Request the payout release (`POST /milestones/{id}/approve`, co-signed; idempotent while pending). */
    async requestRelease(input: { milestoneId: string }): Promise<ApprovalSnapshot> {
      const envelope = await callOpenTrain((o) => openTrain.releaseMilestone(input.milestoneId, o));
      return toApprovalSnapshot(envelope.approval);
    },
  };
}
