import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { authorize, GATES } from '../auth';
import { EVENT_TYPE_SCOPES, EVENT_TYPES, hasScope } from '../catalog';
import type { SandboxContext } from '../context';
import { ApiError, conflict, notFound, parseOr400 } from '../errors';
import {
  HTTP_WEBHOOK_HOSTS,
  MAX_WEBHOOKS_PER_ACCOUNT,
  WEBHOOK_CREATED_STATUS,
  WEBHOOK_LIMIT_REASON,
} from '../gaps';
import type { Account, Webhook } from '../model';
import { webhookToWire } from '../wire';

function isAllowedUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return (
      url.protocol === 'https:' || (url.protocol === 'http:' && HTTP_WEBHOOK_HOSTS.includes(url.hostname))
    );
  } catch {
    return false;
  }
}

const createWebhookSchema = z.object({
  url: z
    .string({ error: 'is required' })
    .max(2048, { error: 'must be at most 2048 characters' })
    .refine(isAllowedUrl, { error: 'must be an absolute https URL (http only for localhost)' }),
  eventTypes: z
    .array(z.enum(EVENT_TYPES, { error: `must be one of ${EVENT_TYPES.join(', ')}` }))
    .min(1, { error: 'must name at least one event type' })
    .transform((types) => [...new Set(types)]),
});

/** Webhook subscriptions (docs/opentrain-api.md#webhooks); deliveries are webhook-delivery.ts's job. */
export function registerWebhookRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const { state } = ctx.store;
  const ownedWebhook = (account: Account, webhookId: string): Webhook => {
    const webhook = state.webhooks[webhookId];
    if (!webhook || webhook.accountId !== account.id) throw notFound('webhooks', webhookId);
    return webhook;
  };

  app.post('/webhooks', async (request, reply) => {
    const account = authorize(ctx, request, GATES.webhooks);
    const body = parseOr400(createWebhookSchema, request.body);
    const missing = [...new Set(body.eventTypes.map((type) => EVENT_TYPE_SCOPES[type]))].filter(
      (scope) => !hasScope(account.scopes, scope),
    );
    if (missing.length > 0) {
      throw new ApiError(403, `Subscribing to these events needs: ${missing.join(', ')}.`, {
        requiredScopes: missing,
      });
    }
    const owned = Object.values(state.webhooks).filter((w) => w.accountId === account.id);
    if (owned.length >= MAX_WEBHOOKS_PER_ACCOUNT) {
      throw conflict(
        WEBHOOK_LIMIT_REASON,
        `An account can have at most ${MAX_WEBHOOKS_PER_ACCOUNT} webhooks.`,
      );
    }
    const webhook: Webhook = {
      id: ctx.store.newId('wh'),
      accountId: account.id,
      url: body.url,
      eventTypes: body.eventTypes,
      secret: `whsec_${randomBytes(24).toString('hex')}`,
      status: 'ACTIVE',
      createdAt: ctx.clock.nowIso(),
      disabledAt: null,
      disabledReason: null,
      consecutiveFailures: 0,
    };
    state.webhooks[webhook.id] = webhook;
    return reply.code(WEBHOOK_CREATED_STATUS).send({
      webhook: webhookToWire(webhook),
      secret: webhook.secret,
      message:
        'Store the secret now — it is only returned once. Use it to verify the X-OpenTrain-Signature header on deliveries.',
    });
  });

  app.get('/webhooks', async (request) => {
    const account = authorize(ctx, request, GATES.webhooks);
    const owned = Object.values(state.webhooks).filter((w) => w.accountId === account.id);
    return { webhooks: owned.reverse().map(webhookToWire) };
  });

  app.get<{ Params: { webhookId: string } }>('/webhooks/:webhookId', async (request) => {
    const account = authorize(ctx, request, GATES.webhooks);
    return { webhook: webhookToWire(ownedWebhook(account, request.params.webhookId)) };
  });

  app.delete<{ Params: { webhookId: string } }>('/webhooks/:webhookId', async (request) => {
    const account = authorize(ctx, request, GATES.webhooks);
    const webhook = ownedWebhook(account, request.params.webhookId);
    delete state.webhooks[webhook.id];
    return { webhook: webhookToWire(webhook), deleted: true };
  });
}
