import {
  DOORBELL_EVENT_TYPES,
  ensureWebhookSubscription,
  MESSAGE_DOORBELL_EVENT,
} from '../../client/http/webhook-subscription';
import { OpenTrainApiError, type Webhook } from '../../opentrain';

const URL = 'https://engagements.example.com/webhooks/opentrain';

function fakeOpenTrain(existing: Partial<Webhook>[], canReadMessages = true) {
  const webhooks = existing.map((w, i) => ({
    id: `wh_${i}`,
    url: URL,
    eventTypes: ['approval.confirmed'],
    status: 'ACTIVE',
    createdAt: '2026-01-01T00:00:00.000Z',
    disabledAt: null,
    disabledReason: null,
    ...w,
  })) as Webhook[];
  const deleted: string[] = [];
  const created: { url: string; eventTypes: string[] }[] = [];
  return {
    deleted,
    created,
    openTrain: {
      listWebhooks: async () => webhooks,
      deleteWebhook: async (id: string) => {
        deleted.push(id);
        return webhooks.find((w) => w.id === id) as Webhook;
      },
      createWebhook: async (body: { url: string; eventTypes: string[] }) => {
        created.push(body);
        if (!canReadMessages && body.eventTypes.includes(MESSAGE_DOORBELL_EVENT))
          throw new OpenTrainApiError({
            status: 403,
            code: 'FORBIDDEN',
            message: 'message.received needs messages:read',
            method: 'POST',
            path: '/webhooks',
            details: { requiredScopes: ['messages:read'] },
            retryable: false,
          });
        return { webhook: { ...(webhooks[0] as Webhook), id: 'wh_new', url: body.url }, secret: 'whsec_new' };
      },
    },
  };
}

it('reuses an active subscription for the same URL when the secret is known', async () => {
  const fake = fakeOpenTrain([{}]);
  const result = await ensureWebhookSubscription({
    openTrain: fake.openTrain,
    url: URL,
    knownSecret: 'whsec_kept',
  });
  expect(result).toEqual({ webhookId: 'wh_0', secret: 'whsec_kept', reused: true });
  expect(fake.created).toEqual([]);
  expect(fake.deleted).toEqual([]);
});

it('deletes and recreates when the secret is lost, since OpenTrain shows it only at creation', async () => {
  const fake = fakeOpenTrain([{}, { url: 'https://other.example.com/hook' }]);
  const result = await ensureWebhookSubscription({ openTrain: fake.openTrain, url: URL });
  expect(result).toEqual({ webhookId: 'wh_new', secret: 'whsec_new', reused: false });
  expect(fake.deleted).toEqual(['wh_0']);
  expect(fake.created).toEqual([{ url: URL, eventTypes: [...DOORBELL_EVENT_TYPES, MESSAGE_DOORBELL_EVENT] }]);
});

it('rings for messages too, and without messages:read subscribes to the rest (messages then come by the poll)', async () => {
  const fake = fakeOpenTrain([], false);
  const result = await ensureWebhookSubscription({ openTrain: fake.openTrain, url: URL });
  expect(result.reused).toBe(false);
  expect(fake.created.map((c) => c.eventTypes)).toEqual([
    [...DOORBELL_EVENT_TYPES, MESSAGE_DOORBELL_EVENT],
    DOORBELL_EVENT_TYPES,
  ]);
});

it('replaces a disabled subscription, which cannot be re-enabled', async () => {
  const fake = fakeOpenTrain([{ status: 'DISABLED' }]);
  const result = await ensureWebhookSubscription({
    openTrain: fake.openTrain,
    url: URL,
    knownSecret: 'whsec_kept',
  });
  expect(result.reused).toBe(false);
  expect(fake.deleted).toEqual(['wh_0']);
});
