import { OpenTrainApiError, type OpenTrainClient } from '../../opentrain';

/**
 * The events worth a doorbell ring: the ones the updates feed routes to engagements. All need only
 * `payments:read`, so the subscription never asks for more than the engagements already use.
 */
export const DOORBELL_EVENT_TYPES = [
  'approval.confirmed',
  'contract.created',
  'milestone.status_changed',
  'payment.pending',
  'contract.budget_state_changed',
];

/** A trainer's reply: rung when the token may read messages (`messages:read`), else left to the interval poll. */
export const MESSAGE_DOORBELL_EVENT = 'message.received';

export interface WebhookSubscription {
  webhookId: string;
  /** Keep in memory (or a 0600 file); never log it. */
  secret: string;
  reused: boolean;
}

/**
 * Makes sure OpenTrain delivers to `url`. An ACTIVE subscription for the URL is reused when we still hold its
 * secret; otherwise it is deleted and created again, because OpenTrain returns the secret only at creation and a
 * DISABLED subscription cannot be re-enabled (docs/opentrain-api.md#webhooks). Events delivered to nobody
 * meanwhile are not lost: the updates feed reads them from `/updates`.
 */
export async function ensureWebhookSubscription(args: {
  openTrain: Pick<OpenTrainClient, 'listWebhooks' | 'createWebhook' | 'deleteWebhook'>;
  url: string;
  knownSecret?: string;
}): Promise<WebhookSubscription> {
  const sameUrl = (await args.openTrain.listWebhooks()).filter((webhook) => webhook.url === args.url);
  const active = sameUrl.find((webhook) => webhook.status === 'ACTIVE');
  if (active && args.knownSecret) return { webhookId: active.id, secret: args.knownSecret, reused: true };
  for (const stale of sameUrl) await args.openTrain.deleteWebhook(stale.id);
  const created = await args.openTrain
    .createWebhook({ url: args.url, eventTypes: [...DOORBELL_EVENT_TYPES, MESSAGE_DOORBELL_EVENT] })
    .catch((err: unknown) => {
      // A token without messages:read cannot subscribe to messages: ring for the rest, poll for messages.
      if (!(err instanceof OpenTrainApiError && err.status === 403)) throw err;
      return args.openTrain.createWebhook({ url: args.url, eventTypes: DOORBELL_EVENT_TYPES });
    });
  return { webhookId: created.webhook.id, secret: created.secret, reused: false };
}
