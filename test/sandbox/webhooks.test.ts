import { WebhookReceiver, signatureIsValid, waitFor } from './receiver';
import { hire, useTestSandbox, type TestApi } from './support';

const RETRY_DELAYS_MS = [20, 20, 20, 20];
const env = useTestSandbox({ webhookRetryDelaysMs: RETRY_DELAYS_MS });
let receiver: WebhookReceiver;

beforeEach(async () => {
  receiver = await WebhookReceiver.start();
});
afterEach(() => receiver.close());

async function subscribe(api: TestApi, eventTypes: string[], url = receiver.url) {
  const created = await api.post('/webhooks', { url, eventTypes });
  expect(created.status).toBe(201);
  return { id: String(created.body.webhook.id), secret: String(created.body.secret) };
}

describe('webhook subscriptions', () => {
  it('creates (201, secret shown once), lists newest first, reads and deletes a subscription', async () => {
    const api = await env.account();
    const created = await api.post('/webhooks', {
      url: 'https://example.com/hooks/opentrain',
      eventTypes: ['approval.confirmed', 'approval.confirmed', 'contract.created'],
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    expect(created.body.message).toMatch(/only returned once/);
    expect(created.body.webhook).toEqual({
      id: expect.any(String),
      url: 'https://example.com/hooks/opentrain',
      eventTypes: ['approval.confirmed', 'contract.created'],
      status: 'ACTIVE',
      createdAt: expect.any(String),
      disabledAt: null,
      disabledReason: null,
    });
    const second = await subscribe(api, ['payment.pending']);
    const listed = await api.get('/webhooks');
    expect(listed.body.webhooks.map((w: { id: string }) => w.id)).toEqual([
      second.id,
      created.body.webhook.id,
    ]);
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');
    expect((await api.get(`/webhooks/${second.id}`)).body.webhook.id).toBe(second.id);

    const deleted = await api.delete(`/webhooks/${second.id}`);
    expect(deleted.body).toMatchObject({ deleted: true, webhook: { id: second.id } });
    const gone = await api.get(`/webhooks/${second.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.details).toEqual({ resource: 'webhooks', webhookId: second.id });
  });

  it.each([
    [{ url: 'http://example.com/hook', eventTypes: ['approval.confirmed'] }, 'url'],
    [{ url: 'ftp://localhost/hook', eventTypes: ['approval.confirmed'] }, 'url'],
    [{ url: `https://example.com/${'x'.repeat(2048)}`, eventTypes: ['approval.confirmed'] }, 'url'],
    [{ url: 'https://example.com/hook', eventTypes: [] }, 'eventTypes'],
    [{ url: 'https://example.com/hook', eventTypes: ['contract.ended'] }, 'eventTypes.0'],
  ])('rejects %j with 400 naming %s', async (body, field) => {
    const api = await env.account();
    const response = await api.post('/webhooks', body);
    expect(response.status).toBe(400);
    expect(response.body.details.field).toBe(field);
  });

  it('accepts plain http only for localhost and caps an account at 10 subscriptions (409)', async () => {
    const api = await env.account();
    for (let i = 0; i < 10; i += 1) await subscribe(api, ['approval.confirmed'], `http://localhost:9/${i}`);
    const eleventh = await api.post('/webhooks', {
      url: 'https://example.com/11',
      eventTypes: ['approval.confirmed'],
    });
    expect(eleventh.status).toBe(409);
    expect(eleventh.body.details.reason).toBe('webhook_limit_reached');
  });

  it('needs webhooks:manage, public_api_webhooks and the read scope of every subscribed type', async () => {
    const noManage = await env.account({ scopes: ['payments:read'] });
    expect((await noManage.get('/webhooks')).body.details.requiredScopes).toEqual(['webhooks:manage']);
    const noFeature = await env.account({ features: [] });
    expect((await noFeature.get('/webhooks')).body.details.featureKey).toBe('public_api_webhooks');
    const noRead = await env.account({ scopes: ['webhooks:manage', 'proposals:read'] });
    const denied = await noRead.post('/webhooks', { url: receiver.url, eventTypes: ['approval.confirmed'] });
    expect(denied.status).toBe(403);
    expect(denied.body.details.requiredScopes).toEqual(['payments:read']);
  });
});

describe('webhook delivery', () => {
  it('POSTs each new subscribed event, signed as OpenTrain documents, with the same record as /updates and no backfill', async () => {
    const api = await env.account();
    const { proposalId } = await env.proposal(api);
    const { secret } = await subscribe(api, ['approval.confirmed', 'contract.created', 'proposal.received']);
    const requested = await api.post(`/proposals/${proposalId}/hire`, {
      milestone: { name: 'Batch', amount: 100 },
    });
    await env.control.confirmApproval(requested.body.approval.id);
    await waitFor(() => receiver.received.length === 2);

    const feed = (await api.get('/updates')).body.events;
    const expected = feed.filter((e: { type: string }) =>
      ['approval.confirmed', 'contract.created'].includes(e.type),
    );
    expect(receiver.received.map((d) => JSON.parse(d.rawBody))).toEqual(expect.arrayContaining(expected));
    for (const delivery of receiver.received) {
      const event = JSON.parse(delivery.rawBody);
      expect(delivery.headers).toMatchObject({
        'content-type': 'application/json',
        'user-agent': 'OpenTrain-Webhooks/1.0',
        'x-opentrain-event': event.type,
        'x-opentrain-delivery': expect.any(String),
      });
      expect(
        signatureIsValid(String(delivery.headers['x-opentrain-signature']), delivery.rawBody, secret),
      ).toBe(true);
      expect(
        signatureIsValid(String(delivery.headers['x-opentrain-signature']), delivery.rawBody, 'whsec_wrong'),
      ).toBe(false);
    }
    // proposal.received happened before the subscription existed.
    expect(receiver.received.some((d) => d.headers['x-opentrain-event'] === 'proposal.received')).toBe(false);
  });

  it('retries a failed delivery on the (scaled) schedule with the same delivery id until it succeeds', async () => {
    const api = await env.account();
    await subscribe(api, ['contract.created']);
    receiver.statuses = [500, 503, 200];
    const started = Date.now();
    await hire(env, api);
    await waitFor(() => receiver.received.length === 3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[0]! + RETRY_DELAYS_MS[1]!);
    const ids = new Set(receiver.received.map((d) => d.headers['x-opentrain-delivery']));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    await waitFor(
      async () => (await env.control.deliveries()).find((d) => d.id === id)?.status === 'DELIVERED',
    );
    expect((await env.control.deliveries()).find((d) => d.id === id)).toMatchObject({ attempts: 3 });
  });

  it('marks a delivery FAILED after 5 attempts and stops trying', async () => {
    const api = await env.account();
    await subscribe(api, ['contract.created']);
    receiver.statuses = [500];
    await hire(env, api);
    await waitFor(() => receiver.received.length === 5);
    const id = receiver.received[0]?.headers['x-opentrain-delivery'];
    await waitFor(async () => (await env.control.deliveries()).find((d) => d.id === id)?.status === 'FAILED');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.received).toHaveLength(5);
    expect((await env.control.deliveries()).find((d) => d.id === id)).toMatchObject({
      attempts: 5,
      lastResponseStatus: 500,
    });
  });

  it('disables a subscription after 10 consecutive failed attempts, which then receives nothing', async () => {
    const api = await env.account();
    const { id } = await subscribe(api, ['proposal.received']);
    receiver.statuses = [400];
    await env.proposal(api);
    await env.proposal(api);
    await waitFor(async () => (await api.get(`/webhooks/${id}`)).body.webhook.status === 'DISABLED');
    const { webhook } = (await api.get(`/webhooks/${id}`)).body;
    expect(webhook).toMatchObject({
      disabledAt: expect.any(String),
      disabledReason: 'Disabled after repeated delivery failures',
    });
    expect(receiver.received).toHaveLength(10);
    await env.proposal(api);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.received).toHaveLength(10);
  });

  it('stops delivering to a deleted subscription while others keep receiving', async () => {
    const api = await env.account();
    const { id } = await subscribe(api, ['proposal.received'], `${receiver.url}?deleted`);
    await subscribe(api, ['proposal.received'], `${receiver.url}?kept`);
    expect((await api.delete(`/webhooks/${id}`)).status).toBe(200);
    await env.proposal(api);
    await waitFor(() => receiver.received.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.received.map((d) => d.url)).toEqual(['/hooks/opentrain?kept']);
  });
});
