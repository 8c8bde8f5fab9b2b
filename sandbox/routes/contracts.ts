import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { usdAmountSchema, usdToCents } from '../../domain/money';
import { contractEnded, endContract, setMilestoneStatus } from '../actions';
import { createApproval, findPending, sendApproval } from '../approvals';
import { authorize, GATES } from '../auth';
import type { SandboxContext } from '../context';
import { ApiError, badRequest, conflict, parseOr400 } from '../errors';
import { MILESTONE_STATUS } from '../gaps';
import { dueDateSchema } from '../hire-terms';
import { milestonesOf, ownedContract } from '../lookups';
import type { Milestone } from '../model';
import { contractDetailToWire, contractToWire, milestoneToWire } from '../wire';

const listQuerySchema = z.object({
  jobId: z.string().min(1).optional(),
  status: z.enum(['active', 'ended'], { error: 'must be active or ended' }).optional(),
});

/**
 * The create-milestone body (docs/opentrain-api.md#milestones); the per-payment-type rules are checked against the
 * contract below.
 */
const createMilestoneSchema = z.object({
  description: z.string({ error: 'is required' }).trim().min(1, { error: 'must not be empty' }),
  name: z.string().max(200).optional(),
  amountUsd: usdAmountSchema.optional(),
  volume: z.number().positive({ error: 'must be greater than 0' }).optional(),
  dueDate: dueDateSchema.optional(),
});

/** Contracts: list, read, add a milestone, end (docs/opentrain-api.md#contracts, #milestones, #end-a-contract). */
export function registerContractRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get('/contracts', async (request) => {
    const account = authorize(ctx, request, GATES.paymentsRead);
    const query = parseOr400(listQuerySchema, request.query);
    if (query.jobId !== undefined) {
      const job = ctx.store.state.jobs[query.jobId];
      if (!job) throw new ApiError(404, 'No such job.', { resource: 'jobs', jobId: query.jobId });
      if (job.accountId !== account.id) throw new ApiError(403, 'This job belongs to another account.');
    }
    const contracts = Object.values(ctx.store.state.contracts)
      .filter(
        (c) =>
          c.accountId === account.id &&
          (query.jobId === undefined || c.jobId === query.jobId) &&
          (query.status === undefined || c.status === query.status),
      )
      .reverse();
    return { contracts: contracts.map((c) => contractToWire(ctx, c)) };
  });

  app.get<{ Params: { contractId: string } }>('/contracts/:contractId', async (request) => {
    const account = authorize(ctx, request, GATES.paymentsRead);
    return { contract: contractDetailToWire(ctx, ownedContract(ctx, account, request.params.contractId)) };
  });

  app.post<{ Params: { contractId: string } }>(
    '/contracts/:contractId/milestones',
    async (request, reply) => {
      const account = authorize(ctx, request, GATES.createMilestone);
      const body = parseOr400(createMilestoneSchema, request.body);
      const contract = ownedContract(ctx, account, request.params.contractId);
      if (contract.status === 'ended') throw contractEnded(contract);

      let amountCents: number;
      if (contract.paymentType === 'FIXED_PRICE') {
        if (body.amountUsd === undefined)
          throw badRequest('amountUsd', 'amountUsd is required on fixed-price contracts.');
        amountCents = usdToCents(body.amountUsd);
      } else {
        if (body.volume === undefined)
          throw badRequest('volume', 'volume is required on hourly and per-label contracts.');
        if (contract.rateCents === null) {
          throw conflict('contract_rate_missing', 'The contract has no rate to price the volume with.');
        }
        amountCents = Math.round(contract.rateCents * body.volume);
        if (body.amountUsd !== undefined && usdToCents(body.amountUsd) !== amountCents) {
          throw badRequest('amountUsd', 'amountUsd must equal the contract rate × volume.');
        }
      }

      const now = ctx.clock.nowIso();
      const milestone: Milestone = {
        id: ctx.store.newId('mil'),
        contractId: contract.id,
        name: body.name ?? null,
        description: body.description,
        status: MILESTONE_STATUS.notFunded,
        amountCents,
        volume: body.volume ?? null,
        milestoneNumber: milestonesOf(ctx, contract.id).length + 1,
        dueDate: body.dueDate ?? null,
        invoiceId: null,
        holdEntryId: null,
        createdAt: now,
      };
      ctx.store.state.milestones[milestone.id] = milestone;
      setMilestoneStatus(ctx, contract, milestone, MILESTONE_STATUS.notFunded);
      return reply.code(201).send({ milestone: milestoneToWire(ctx, milestone) });
    },
  );

  app.post<{ Params: { contractId: string } }>('/contracts/:contractId/end', async (request, reply) => {
    const account = authorize(ctx, request, GATES.endContract);
    const contract = ownedContract(ctx, account, request.params.contractId);
    if (contract.status === 'ended') throw contractEnded(contract);
    const live = findPending(ctx, 'contract_end', { contractId: contract.id });
    const funded = milestonesOf(ctx, contract.id).some((m) => m.status === MILESTONE_STATUS.activeFunded);
    if (!live && !funded) {
      endContract(ctx, contract);
      return { ok: true, contractId: contract.id, status: 'ended' };
    }
    const approval =
      live ??
      createApproval(ctx, {
        accountId: account.id,
        type: 'contract_end',
        contractId: contract.id,
        jobId: contract.jobId,
      });
    return sendApproval(reply, ctx, approval);
  });
}
