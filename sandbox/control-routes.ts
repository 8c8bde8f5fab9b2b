import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { usdAmountSchema, usdToCents } from '../domain/money';
import { confirmApproval, declineApproval, listApprovals } from './approvals';
import { FEATURES, PAYMENT_TYPES, SCOPES } from './catalog';
import type { SandboxContext } from './context';
import { ApiError, parseOr400 } from './errors';
import { DEFAULT_RATE_CENTS } from './gaps';
import { hireEditsSchema } from './hire-terms';
import { milestonesOf } from './lookups';
import { cancelMilestone } from './milestone-cancel';
import { threadOf } from './messaging';
import type { Account, Contract } from './model';
import { faultsSchema, type PublicApiTraffic } from './traffic';
import type { WebhookDeliverer } from './webhook-delivery';
import { approvalToWire, ledgerEntryToWire, milestoneToWire } from './wire';

/** Omitted fields mean fully enabled: claimed, every scope, every feature, card on file. */
const accountSettingsSchema = z.strictObject({
  claimed: z.boolean().optional(),
  scopes: z.array(z.enum(SCOPES)).optional(),
  features: z.array(z.enum(FEATURES)).optional(),
  cardOnFile: z.boolean().optional(),
  creditsCents: z.number().int().min(0).optional(),
});

const proposalBodySchema = z.strictObject({
  token: z.string().min(1),
  notAFit: z.boolean().optional(),
  paymentType: z.enum(PAYMENT_TYPES).optional(),
  rateUsd: usdAmountSchema.optional(),
});

const confirmBodySchema = z.strictObject({ milestone: hireEditsSchema.optional() });
const approvalsQuerySchema = z.object({
  status: z.enum(['pending', 'confirmed', 'declined', 'expired']).optional(),
});
const clockBodySchema = z.strictObject({ advanceMs: z.number().int().min(0) });
const replyBodySchema = z.strictObject({ content: z.string().min(1).max(10_000) });
const ledgerQuerySchema = z.object({ contractId: z.string().min(1).optional() });

/**
 * A contract as the sandbox holds it, for tests that check what OpenTrain really did: every milestone, including
 * the cancelled and refunded ones the public timeline hides, so a duplicate can never go unseen.
 */
function contractRecord(ctx: SandboxContext, contract: Contract) {
  return {
    id: contract.id,
    accountId: contract.accountId,
    proposalId: contract.proposalId,
    jobId: contract.jobId,
    status: contract.status,
    endDate: contract.endDate,
    milestones: milestonesOf(ctx, contract.id).map((m) => milestoneToWire(ctx, m)),
  };
}
export type SandboxContractRecord = ReturnType<typeof contractRecord>;

/** The JSON control API under /__sandbox/ for tests and demos: no bearer token, never faulted. */
export function registerControlRoutes(
  app: FastifyInstance,
  ctx: SandboxContext,
  traffic: PublicApiTraffic,
  deliverer: WebhookDeliverer,
): void {
  const { state } = ctx.store;
  const accountByToken = (token: string): Account => {
    const account = Object.values(state.accounts).find((a) => a.token === token);
    if (!account) throw new ApiError(404, 'No account has this token.', { resource: 'accounts' });
    return account;
  };

  app.post('/accounts', async (request, reply) => {
    const settings = parseOr400(accountSettingsSchema, request.body ?? {});
    const account: Account = {
      id: ctx.store.newId('acc'),
      token: `ot_pat_${randomBytes(4).toString('hex')}_${randomBytes(24).toString('hex')}`,
      tokenId: ctx.store.newId('tok'),
      userId: ctx.store.newId('usr'),
      organizationId: ctx.store.newId('org'),
      claimed: settings.claimed ?? true,
      scopes: settings.scopes ?? [...SCOPES],
      features: settings.features ?? [...FEATURES],
      cardOnFile: settings.cardOnFile ?? true,
      availableCents: settings.creditsCents ?? 0,
      reservedCents: 0,
      createdAt: ctx.clock.nowIso(),
    };
    state.accounts[account.id] = account;
    return reply.code(201).send({ token: account.token });
  });

  app.patch<{ Params: { token: string } }>('/accounts/:token', async (request) => {
    const account = accountByToken(request.params.token);
    const patch = parseOr400(accountSettingsSchema, request.body ?? {});
    if (patch.claimed !== undefined) account.claimed = patch.claimed;
    if (patch.scopes !== undefined) account.scopes = patch.scopes;
    if (patch.features !== undefined) account.features = patch.features;
    if (patch.cardOnFile !== undefined) account.cardOnFile = patch.cardOnFile;
    if (patch.creditsCents !== undefined) account.availableCents = patch.creditsCents;
    return { ok: true };
  });

  app.post('/proposals', async (request, reply) => {
    const body = parseOr400(proposalBodySchema, request.body);
    const account = accountByToken(body.token);
    const now = ctx.clock.nowIso();
    const paymentType = body.paymentType ?? 'FIXED_PRICE';
    const job = {
      id: ctx.store.newId('job'),
      accountId: account.id,
      title: 'Spanish Sentiment Labeling',
      createdAt: now,
    };
    state.jobs[job.id] = job;
    const proposalId = ctx.store.newId('prp');
    state.proposals[proposalId] = {
      id: proposalId,
      jobId: job.id,
      accountId: account.id,
      status: body.notAFit ? 'NOT_A_FIT' : 'UNREVIEWED',
      paymentType,
      rateCents:
        body.rateUsd !== undefined ? usdToCents(body.rateUsd) : (DEFAULT_RATE_CENTS[paymentType] ?? null),
      // Trainers are always masked (docs/opentrain-api.md#conventions): first name + last initial, country,
      // profile path.
      freelancer: {
        userId: ctx.store.newId('usr'),
        displayName: 'Maria G.',
        country: 'Spain',
        profilePath: '/profile/maria-g',
      },
      createdAt: now,
    };
    ctx.events.append(
      account.id,
      'proposal.received',
      { resourceId: proposalId, jobId: job.id },
      { proposalId, jobId: job.id },
    );
    return reply.code(201).send({ proposalId, jobId: job.id });
  });

  app.get('/approvals', async (request) => {
    const { status } = parseOr400(approvalsQuerySchema, request.query);
    const approvals = listApprovals(ctx).filter((a) => status === undefined || a.status === status);
    return { approvals: approvals.map((a) => approvalToWire(ctx, a)) };
  });

  app.post<{ Params: { approvalId: string } }>('/approvals/:approvalId/confirm', async (request) => {
    const body = parseOr400(confirmBodySchema, request.body ?? {});
    return { approval: approvalToWire(ctx, confirmApproval(ctx, request.params.approvalId, body.milestone)) };
  });

  app.post<{ Params: { approvalId: string } }>('/approvals/:approvalId/decline', async (request) => {
    return { approval: approvalToWire(ctx, declineApproval(ctx, request.params.approvalId)) };
  });

  app.post<{ Params: { milestoneId: string } }>('/milestones/:milestoneId/cancel', async (request) => {
    return { milestone: milestoneToWire(ctx, cancelMilestone(ctx, request.params.milestoneId)) };
  });

  registerConversationControls(app, ctx);

  app.get('/requests', async () => ({ requests: traffic.requests }));
  app.delete('/requests', async () => {
    traffic.requests.length = 0;
    return { ok: true };
  });

  app.post('/faults', async (request) => {
    traffic.faults = parseOr400(faultsSchema, request.body ?? {});
    return { faults: traffic.faults };
  });

  app.post('/clock', async (request) => {
    const { advanceMs } = parseOr400(clockBodySchema, request.body);
    ctx.clock.advance(advanceMs);
    return { now: ctx.clock.nowIso() };
  });

  app.get('/deliveries', async () => ({ deliveries: deliverer.list() }));

  app.get('/contracts', async () => ({
    contracts: Object.values(state.contracts).map((contract) => contractRecord(ctx, contract)),
  }));

  /** The whole credits ledger (every account, oldest first); the public API shows only the 10 newest entries. */
  app.get('/ledger', async (request) => {
    const { contractId } = parseOr400(ledgerQuerySchema, request.query);
    const entries = state.ledger.filter((e) => contractId === undefined || e.contractId === contractId);
    return { entries: entries.map(ledgerEntryToWire) };
  });
}

/**
 * The trainer's side of a contract's thread: make the trainer reply (stored unread, announced by
 * `message.received` in /updates and to webhooks), and read the whole thread as stored, to count what was sent.
 */
function registerConversationControls(app: FastifyInstance, ctx: SandboxContext): void {
  const conversationOr404 = (id: string) => {
    const conversation = ctx.store.state.conversations[id];
    if (!conversation) throw new ApiError(404, 'No such conversation.', { resource: 'conversations' });
    return conversation;
  };

  app.post<{ Params: { conversationId: string } }>(
    '/conversations/:conversationId/reply',
    async (request, reply) => {
      const conversation = conversationOr404(request.params.conversationId);
      const { content } = parseOr400(replyBodySchema, request.body);
      const contract = ctx.store.state.contracts[conversation.contractId];
      const message = {
        id: ctx.store.newId('msg'),
        conversationId: conversation.id,
        senderUserId: contract?.freelancer.userId ?? 'usr_trainer',
        content,
        createdAt: ctx.clock.nowIso(),
        unread: true,
      };
      ctx.store.state.messages.push(message);
      ctx.events.append(
        conversation.accountId,
        'message.received',
        { resourceId: message.id, jobId: conversation.jobId },
        { conversationId: conversation.id, messageId: message.id },
      );
      return reply.code(201).send({ message });
    },
  );

  app.get<{ Params: { conversationId: string } }>(
    '/conversations/:conversationId/messages',
    async (request) => {
      const conversation = conversationOr404(request.params.conversationId);
      return { messages: threadOf(ctx, conversation.id) };
    },
  );
}
