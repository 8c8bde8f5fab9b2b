import type { FastifyInstance } from 'fastify';
import { fundChargeCents } from '../../domain/money';
import {
  contractEnded,
  milestoneCancelled,
  milestoneNotFundable,
  milestoneNotFunded,
  newInvoice,
  payerOr409,
} from '../actions';
import { APPROVAL_MESSAGES, createApproval, findPending } from '../approvals';
import { authorize, GATES } from '../auth';
import type { SandboxContext } from '../context';
import { MILESTONE_STATUS, PENDING_INVOICE_ON_FUND_REQUEST } from '../gaps';
import { ownedMilestone } from '../lookups';
import { approvalToWire } from '../wire';

/** POST /milestones/{id}/fund and /approve (§2.10, §2.11): co-signed, idempotent while pending. */
export function registerMilestoneRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.post<{ Params: { milestoneId: string } }>('/milestones/:milestoneId/fund', async (request, reply) => {
    const account = authorize(ctx, request, GATES.fundMilestone);
    const { milestone, contract } = ownedMilestone(ctx, account, request.params.milestoneId);
    if (contract.status === 'ended') throw contractEnded(contract);
    if (milestone.status === MILESTONE_STATUS.cancelled) throw milestoneCancelled(milestone);
    const live = findPending(ctx, 'milestone_fund', { milestoneId: milestone.id });
    if (!live && milestone.status !== MILESTONE_STATUS.notFunded) throw milestoneNotFundable(milestone);
    if (!live) payerOr409(ctx, account, fundChargeCents(milestone.amountCents));
    const approval = live ?? requestFunding();
    return reply
      .code(202)
      .send({ approval: approvalToWire(ctx, approval), message: APPROVAL_MESSAGES.milestone_fund });

    function requestFunding() {
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
        proposalId: null,
        invoiceId,
      });
    }
  });

  app.post<{ Params: { milestoneId: string } }>(
    '/milestones/:milestoneId/approve',
    async (request, reply) => {
      const account = authorize(ctx, request, GATES.approveMilestone);
      const { milestone, contract } = ownedMilestone(ctx, account, request.params.milestoneId);
      if (contract.status === 'ended') throw contractEnded(contract);
      if (milestone.status === MILESTONE_STATUS.cancelled) throw milestoneCancelled(milestone);
      const live = findPending(ctx, 'milestone_approve', { milestoneId: milestone.id });
      if (!live && milestone.status !== MILESTONE_STATUS.activeFunded) throw milestoneNotFunded(milestone);
      const approval =
        live ??
        createApproval(ctx, {
          accountId: account.id,
          type: 'milestone_approve',
          contractId: contract.id,
          milestoneId: milestone.id,
          jobId: contract.jobId,
          proposalId: null,
        });
      return reply
        .code(202)
        .send({ approval: approvalToWire(ctx, approval), message: APPROVAL_MESSAGES.milestone_approve });
    },
  );
}
