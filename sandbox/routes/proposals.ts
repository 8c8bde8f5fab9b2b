import type { FastifyInstance } from 'fastify';
import { hireChargeCents } from '../../domain/money';
import { payerOr409 } from '../actions';
import { createApproval, findPending, sendApproval, supersede } from '../approvals';
import { authorize, GATES } from '../auth';
import type { SandboxContext } from '../context';
import { conflict, parseOr400 } from '../errors';
import { hireBodySchema, sameTerms, termsFromBody } from '../hire-terms';
import { ownedProposal } from '../lookups';

/** POST /proposals/{id}/hire (docs/opentrain-api.md#hire): records a co-signed hire request. */
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
    if (live?.terms && sameTerms(live.terms, terms)) return sendApproval(reply, ctx, live);
    payerOr409(ctx, account, hireChargeCents(terms.amountCents));
    if (live) supersede(ctx, live);
    const approval = createApproval(ctx, {
      accountId: account.id,
      type: 'proposal_hire',
      jobId: proposal.jobId,
      proposalId: proposal.id,
      terms,
    });
    return sendApproval(reply, ctx, approval);
  });
}
