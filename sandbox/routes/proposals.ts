import type { FastifyInstance } from 'fastify';
import { hireChargeCents } from '../../domain/money';
import { payerOr409 } from '../actions';
import { APPROVAL_MESSAGES, createApproval, findPending, supersede } from '../approvals';
import { authorize, GATES } from '../auth';
import type { SandboxContext } from '../context';
import { conflict, parseOr400 } from '../errors';
import { hireBodySchema, sameTerms, termsFromBody } from '../hire-terms';
import { ownedProposal } from '../lookups';
import { approvalToWire } from '../wire';

/** POST /proposals/{id}/hire (§2.6, §10): records a co-signed hire request. */
export function registerProposalRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.post<{ Params: { proposalId: string } }>('/proposals/:proposalId/hire', async (request, reply) => {
    const account = authorize(ctx, request, GATES.hire);
    const body = parseOr400(hireBodySchema, request.body);
    const proposal = ownedProposal(ctx, account, request.params.proposalId);
    if (proposal.status === 'HIRED') {
      throw conflict('already_accepted', 'This proposal was already hired; read the contract instead.');
    }
    if (proposal.status === 'NOT_A_FIT' && body.confirmNotFitOverride !== true) {
      throw conflict(
        'not_fit_confirmation_required',
        'This proposal was marked "Not a fit". Re-send with "confirmNotFitOverride": true if the hire is intentional.',
      );
    }
    const terms = termsFromBody(body.milestone);
    const live = findPending(ctx, 'proposal_hire', { proposalId: proposal.id });
    if (live?.terms && sameTerms(live.terms, terms)) {
      return reply
        .code(202)
        .send({ approval: approvalToWire(ctx, live), message: APPROVAL_MESSAGES.proposal_hire });
    }
    payerOr409(ctx, account, hireChargeCents(terms.amountCents));
    if (live) supersede(ctx, live);
    const approval = createApproval(ctx, {
      accountId: account.id,
      type: 'proposal_hire',
      contractId: null,
      milestoneId: null,
      jobId: proposal.jobId,
      proposalId: proposal.id,
      terms,
    });
    return reply
      .code(202)
      .send({ approval: approvalToWire(ctx, approval), message: APPROVAL_MESSAGES.proposal_hire });
  });
}
