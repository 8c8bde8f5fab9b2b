import type { FastifyInstance } from 'fastify';
import { fundChargeCents } from '../../domain/money';
import {
  assertMilestoneOpen,
  milestoneNotFundable,
  milestoneNotFunded,
  newInvoice,
  payerOr409,
} from '../actions';
import { createApproval, findPending, sendApproval } from '../approvals';
import { authorize, GATES, type Gate } from '../auth';
import type { SandboxContext } from '../context';
import type { ApiError } from '../errors';
import { MILESTONE_STATUS, PENDING_INVOICE_ON_FUND_REQUEST } from '../gaps';
import { ownedMilestone } from '../lookups';
import type { Account, Approval, ApprovalType, Contract, Milestone } from '../model';

/** A co-signed request on one milestone: who may ask, which status it needs, and how it is recorded. */
interface CoSignedMilestoneRequest {
  gate: Gate;
  type: ApprovalType;
  requiredStatus: string;
  notReady: (milestone: Milestone) => ApiError;
  record: (ctx: SandboxContext, account: Account, contract: Contract, milestone: Milestone) => Approval;
}

const REQUESTS: Record<'fund' | 'approve', CoSignedMilestoneRequest> = {
  fund: {
    gate: GATES.fundMilestone,
    type: 'milestone_fund',
    requiredStatus: MILESTONE_STATUS.notFunded,
    notReady: milestoneNotFundable,
    record: requestFunding,
  },
  approve: {
    gate: GATES.approveMilestone,
    type: 'milestone_approve',
    requiredStatus: MILESTONE_STATUS.activeFunded,
    notReady: milestoneNotFunded,
    record: (ctx, account, contract, milestone) =>
      createApproval(ctx, {
        accountId: account.id,
        type: 'milestone_approve',
        contractId: contract.id,
        milestoneId: milestone.id,
        jobId: contract.jobId,
      }),
  },
};

/**
 * POST /milestones/{id}/fund and /approve (docs/opentrain-api.md#milestones): 202 with a co-sign approval; while
 * one is pending the same approval comes back; 409 contract_ended, milestone_cancelled, then
 * milestone_not_fundable / milestone_not_funded.
 */
export function registerMilestoneRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  for (const [action, spec] of Object.entries(REQUESTS)) {
    app.post<{ Params: { milestoneId: string } }>(
      `/milestones/:milestoneId/${action}`,
      async (request, reply) => {
        const account = authorize(ctx, request, spec.gate);
        const { milestone, contract } = ownedMilestone(ctx, account, request.params.milestoneId);
        assertMilestoneOpen(contract, milestone);
        const live = findPending(ctx, spec.type, { milestoneId: milestone.id });
        if (live) return sendApproval(reply, ctx, live);
        if (milestone.status !== spec.requiredStatus) throw spec.notReady(milestone);
        return sendApproval(reply, ctx, spec.record(ctx, account, contract, milestone));
      },
    );
  }
}

/** 409 payment_method_required unless a card or the credits cover milestone + 10%; then a PENDING_FUNDING invoice. */
function requestFunding(ctx: SandboxContext, account: Account, contract: Contract, milestone: Milestone) {
  payerOr409(ctx, account, fundChargeCents(milestone.amountCents));
  const invoiceId = PENDING_INVOICE_ON_FUND_REQUEST
    ? newInvoice(ctx, account, contract, milestone, 'PENDING_FUNDING')
    : undefined;
  if (invoiceId) {
    ctx.events.append(
      account.id,
      'payment.pending',
      { resourceId: invoiceId, jobId: contract.jobId },
      { invoiceId, milestoneId: milestone.id, contractId: contract.id },
    );
  }
  return createApproval(ctx, {
    accountId: account.id,
    type: 'milestone_fund',
    contractId: contract.id,
    milestoneId: milestone.id,
    jobId: contract.jobId,
    ...(invoiceId ? { invoiceId } : {}),
  });
}
