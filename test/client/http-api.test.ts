import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../client/http/api';
import { ENDED_ID, fakeEngagements, KNOWN_ID } from './fake-engagements';
import { call, listenLocal } from './http-call';
import { postWebhook, signWebhook } from './webhook-delivery';

const TOKEN = 'test-api-token';
const SECRET = 'whsec_test_secret';
const auth = { authorization: `Bearer ${TOKEN}` };

let engagements: ReturnType<typeof fakeEngagements>;
let rings: (string | undefined)[];
let app: FastifyInstance;
let baseUrl: string;
const inject = (options: Parameters<typeof call>[1]) => call(baseUrl, options);

beforeEach(async () => {
  engagements = fakeEngagements();
  rings = [];
  app = await buildApi({
    engagements,
    apiToken: TOKEN,
    webhook: { secret: () => SECRET, ringDoorbell: (id) => void rings.push(id) },
  });
  baseUrl = await listenLocal(app);
});
afterEach(() => app.close());

const validStart = { proposalId: 'p_1', firstMilestone: { description: 'Label 100 items', amountUsd: 50 } };

describe('authentication', () => {
  it.each([
    ['GET', '/engagements'],
    ['GET', `/engagements/${KNOWN_ID}`],
    ['POST', '/engagements'],
    ['GET', '/openapi.json'],
  ])('rejects %s %s without the bearer token', async (method, url) => {
    const res = await inject({ method, url });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('rejects a wrong token of the same length and of a different length', async () => {
    for (const token of ['test-api-tokeX', 'x']) {
      const res = await inject({ url: '/engagements', headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode).toBe(401);
    }
    expect(engagements.list).not.toHaveBeenCalled();
  });

  it('serves /healthz without a token', async () => {
    const res = await inject({ url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
  });
});

describe('routes', () => {
  it('starts an engagement and points at it', async () => {
    const res = await inject({ method: 'POST', url: '/engagements', headers: auth, payload: validStart });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ engagementId: 'engagement-p_1' });
    expect(res.headers.location).toBe('/engagements/engagement-p_1');
    expect(engagements.start).toHaveBeenCalledWith(expect.objectContaining({ proposalId: 'p_1' }));
  });

  it('lists with the phase and expiry filters converted from the query string', async () => {
    const res = await inject({ url: '/engagements?phase=active&expiringWithinHours=24', headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json().engagements).toHaveLength(1);
    expect(engagements.list).toHaveBeenCalledWith({ phase: 'active', expiringWithinHours: 24 });
  });

  it('returns the state of a known engagement and 404 for an unknown one', async () => {
    const ok = await inject({ url: `/engagements/${KNOWN_ID}`, headers: auth });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ engagementId: KNOWN_ID, phase: 'active' });
    const missing = await inject({ url: '/engagements/engagement-p_nope', headers: auth });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('adds, funds and releases milestones with the documented status codes', async () => {
    const add = await inject({
      method: 'POST',
      url: `/engagements/${KNOWN_ID}/milestones`,
      headers: auth,
      payload: { description: 'More', amountUsd: 10, fund: true },
    });
    expect(add.statusCode).toBe(201);
    expect(engagements.addMilestone).toHaveBeenCalledWith(KNOWN_ID, {
      description: 'More',
      amountUsd: 10,
      fund: true,
    });
    for (const [action, milestoneId, operation] of [
      ['fund', 'm_2', engagements.fundMilestone],
      ['release', 'm_1', engagements.releaseMilestone],
    ] as const) {
      const res = await inject({
        method: 'POST',
        url: `/engagements/${KNOWN_ID}/milestones/${milestoneId}/${action}`,
        headers: auth,
      });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toMatchObject({ id: milestoneId });
      expect(operation).toHaveBeenCalledWith(KNOWN_ID, milestoneId);
    }
  });

  it('answers 202 to an end that waits for the co-sign, and runs retry, recheck and confirm-not-fit', async () => {
    const end = await inject({ method: 'POST', url: `/engagements/${KNOWN_ID}/end`, headers: auth });
    expect(end.statusCode).toBe(202);
    expect(end.json().phase).toBe('awaiting_end_approval');
    const retry = await inject({
      method: 'POST',
      url: `/engagements/${KNOWN_ID}/retry`,
      headers: auth,
      payload: { milestoneId: 'm_2' },
    });
    expect(retry.statusCode).toBe(200);
    expect(engagements.retry).toHaveBeenCalledWith(KNOWN_ID, { milestoneId: 'm_2' });
    const recheck = await inject({ method: 'POST', url: `/engagements/${KNOWN_ID}/recheck`, headers: auth });
    expect(recheck.statusCode).toBe(202);
    expect(engagements.recheckPreconditions).toHaveBeenCalledWith(KNOWN_ID);
    const notFit = await inject({
      method: 'POST',
      url: `/engagements/${KNOWN_ID}/confirm-not-fit`,
      headers: auth,
    });
    expect(notFit.statusCode).toBe(200);
  });

  it('passes the workflow rejection reason through as 409, or 422 when it calls the input invalid', async () => {
    const over = await inject({
      method: 'POST',
      url: `/engagements/${KNOWN_ID}/milestones/m_over_budget/fund`,
      headers: auth,
    });
    expect(over.statusCode).toBe(409);
    expect(over.json()).toMatchObject({ code: 'REJECTED', reason: 'would exceed the budget' });
    const bad = await inject({
      method: 'POST',
      url: `/engagements/${KNOWN_ID}/milestones/m_bad/fund`,
      headers: auth,
    });
    expect(bad.statusCode).toBe(422);
    const noCard = await inject({
      method: 'POST',
      url: `/engagements/${KNOWN_ID}/milestones/m_no_card/fund`,
      headers: auth,
    });
    expect(noCard.statusCode).toBe(409);
    expect(noCard.json()).toMatchObject({
      failureType: 'payment_method_required',
      details: { billingUrl: 'http://127.0.0.1:4010/billing' },
    });
    const ended = await inject({ method: 'POST', url: `/engagements/${ENDED_ID}/end`, headers: auth });
    expect(ended.statusCode).toBe(409);
    expect(ended.json().reason).toBe('the engagement has ended');
  });

  it("sends to the trainer's thread under the Idempotency-Key (201), and pages the thread from OpenTrain", async () => {
    const sent = await inject({
      method: 'POST',
      url: `/engagements/${KNOWN_ID}/messages`,
      headers: { ...auth, 'idempotency-key': 'brief-1' },
      payload: { content: 'Brief' },
    });
    expect(sent.statusCode).toBe(201);
    expect(sent.json()).toMatchObject({ sender: 'you', content: 'Brief' });
    expect(engagements.sendMessage).toHaveBeenCalledWith(
      KNOWN_ID,
      { content: 'Brief' },
      { idempotencyKey: 'brief-1' },
    );

    const page = await inject({
      url: `/engagements/${KNOWN_ID}/messages?direction=newer&limit=5&cursor=msg_1`,
      headers: auth,
    });
    expect(page.statusCode).toBe(200);
    expect(engagements.listMessages).toHaveBeenCalledWith(KNOWN_ID, {
      direction: 'newer',
      limit: 5,
      cursor: 'msg_1',
    });
    const bad = await inject({
      url: `/engagements/${KNOWN_ID}/messages?limit=0x10&direction=sideways`,
      headers: auth,
    });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .fields.map((f: { path: string }) => f.path)
        .sort(),
    ).toEqual(['direction', 'limit']);
  });

  it('refuses message content that is empty, over 10,000 characters or not a string, naming content', async () => {
    for (const content of ['', 'x'.repeat(10_001), 42, null]) {
      const res = await inject({
        method: 'POST',
        url: `/engagements/${KNOWN_ID}/messages`,
        headers: auth,
        payload: { content },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().fields).toEqual([expect.objectContaining({ in: 'body', path: 'content' })]);
    }
    expect(engagements.sendMessage).not.toHaveBeenCalled();
  });

  it('publishes an OpenAPI document listing every route', async () => {
    const res = await inject({ url: '/openapi.json', headers: auth });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/engagements',
        '/engagements/{id}',
        '/engagements/{id}/audit',
        '/engagements/{id}/confirm-not-fit',
        '/engagements/{id}/end',
        '/engagements/{id}/messages',
        '/engagements/{id}/milestones',
        '/engagements/{id}/milestones/{milestoneId}/fund',
        '/engagements/{id}/milestones/{milestoneId}/release',
        '/engagements/{id}/recheck',
        '/engagements/{id}/retry',
        '/healthz',
        '/webhooks/opentrain',
      ].sort(),
    );
    expect(
      doc.paths['/engagements'].post.requestBody.content['application/json'].schema.properties,
    ).toHaveProperty('firstMilestone');
  });
});

describe('bad input → 400 naming every field, before anything reaches Temporal', () => {
  const cases: [string, string, string, unknown, string[]][] = [
    ['POST', '/engagements', 'empty body', {}, ['proposalId', 'firstMilestone']],
    [
      'POST',
      '/engagements',
      'bad money and date',
      { proposalId: ' ', firstMilestone: { amountUsd: 1.234, dueDate: '2026-02-30x' }, budgetUsd: -5 },
      ['proposalId', 'firstMilestone.amountUsd', 'firstMilestone.dueDate', 'budgetUsd'],
    ],
    [
      'GET',
      '/engagements?phase=sleeping&expiringWithinHours=-1',
      'bad filters',
      undefined,
      ['phase', 'expiringWithinHours'],
    ],
    ['GET', '/engagements/not-an-engagement', 'bad id', undefined, ['id']],
    [
      'POST',
      `/engagements/${KNOWN_ID}/milestones`,
      'milestone without terms',
      { amountUsd: 0 },
      ['description', 'amountUsd'],
    ],
    [
      'POST',
      `/engagements/${KNOWN_ID}/milestones/%20/fund`,
      'blank milestone id',
      undefined,
      ['milestoneId'],
    ],
    [
      'POST',
      `/engagements/${KNOWN_ID}/milestones/%20/release`,
      'blank milestone id',
      undefined,
      ['milestoneId'],
    ],
    ['POST', '/engagements/x/end', 'bad id', undefined, ['id']],
    ['POST', `/engagements/${KNOWN_ID}/retry`, 'neither id', {}, ['approvalId']],
    ['POST', '/engagements/x/recheck', 'bad id', undefined, ['id']],
    ['POST', '/engagements/x/confirm-not-fit', 'bad id', undefined, ['id']],
  ];

  it.each(cases)('%s %s (%s)', async (method, url, _what, payload, fields) => {
    const res = await inject({
      method,
      url,
      headers: auth,
      payload,
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('BAD_REQUEST');
    expect(body.fields.map((f: { path: string }) => f.path)).toEqual(expect.arrayContaining(fields));
    for (const fn of Object.values(engagements)) expect(fn).not.toHaveBeenCalled();
  });

  it('rejects malformed JSON with 400', async () => {
    const res = await inject({
      method: 'POST',
      url: '/engagements',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"proposalId":',
    });
    expect(res.statusCode).toBe(400);
  });
});

describe('POST /webhooks/opentrain', () => {
  const body = JSON.stringify({
    id: '42',
    type: 'approval.confirmed',
    data: { approvalId: 'a', status: 'confirmed' },
  });
  const deliver = (headers: Record<string, string>, payload = body) => postWebhook(baseUrl, payload, headers);
  const deliverSigned = (deliveryId: string, secret = SECRET) =>
    deliver({ 'x-opentrain-signature': signWebhook(secret, body), 'x-opentrain-delivery': deliveryId });

  it('accepts a correctly signed delivery without a bearer token and rings the doorbell', async () => {
    const res = await deliverSigned('d1');
    expect(res.statusCode).toBe(202);
    expect(rings).toEqual(['d1']);
  });

  it('rings only once for a delivery id delivered twice', async () => {
    expect((await deliverSigned('d2')).statusCode).toBe(202);
    const again = await deliverSigned('d2');
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ duplicate: true });
    expect(rings).toEqual(['d2']);
  });

  it.each([
    ['forged with another secret', () => signWebhook('whsec_other', body)],
    ['stale (10 minutes old)', () => signWebhook(SECRET, body, Math.floor(Date.now() / 1000) - 600)],
    ['from the future', () => signWebhook(SECRET, body, Math.floor(Date.now() / 1000) + 600)],
    ['malformed', () => 'v1=abc'],
  ])('rejects a delivery %s with 400 and does not ring', async (_what, signature) => {
    const res = await deliver({ 'x-opentrain-signature': signature(), 'x-opentrain-delivery': 'd3' });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('BAD_SIGNATURE');
    expect(rings).toEqual([]);
  });

  it('rejects a tampered body whose signature was made for other bytes', async () => {
    const res = await deliver(
      { 'x-opentrain-signature': signWebhook(SECRET, body) },
      body.replace('42', '43'),
    );
    expect(res.statusCode).toBe(400);
  });

  it('verifies the raw bytes, not re-serialised JSON', async () => {
    const spaced = '{ "id" : "42",\n  "type": "approval.confirmed" }';
    const res = await deliver(
      { 'x-opentrain-signature': signWebhook(SECRET, spaced), 'x-opentrain-delivery': 'd4' },
      spaced,
    );
    expect(res.statusCode).toBe(202);
  });

  it('does not let a forged delivery poison the dedupe of the genuine one with the same id', async () => {
    expect((await deliverSigned('d5', 'whsec_other')).statusCode).toBe(400);
    const genuine = await deliverSigned('d5');
    expect(genuine.statusCode).toBe(202);
    expect(rings).toEqual(['d5']);
  });
});

it('answers 503 (so OpenTrain retries) and does not ring while no webhook secret is known yet', async () => {
  const waiting = await buildApi({
    engagements,
    apiToken: TOKEN,
    webhook: { secret: () => undefined, ringDoorbell: (id) => void rings.push(id) },
  });
  const url = await listenLocal(waiting);
  try {
    const body = '{"id":"9"}';
    const res = await postWebhook(url, body, { 'x-opentrain-signature': signWebhook(SECRET, body) });
    expect(res.statusCode).toBe(503);
    expect(rings).toEqual([]);
  } finally {
    await waiting.close();
  }
});

describe('logs', () => {
  it('records rejected deliveries with their reason, and never a token, secret or signature', async () => {
    const lines: string[] = [];
    const logged = await buildApi({
      engagements,
      apiToken: TOKEN,
      webhook: { secret: () => SECRET, ringDoorbell: () => undefined },
      logger: { level: 'info', stream: { write: (line: string) => void lines.push(line) } },
    });
    const url = await listenLocal(logged);
    try {
      const body = '{"id":"7","type":"approval.confirmed"}';
      const send = (signature: string, deliveryId: string) =>
        postWebhook(url, body, { 'x-opentrain-signature': signature, 'x-opentrain-delivery': deliveryId });
      const stale = signWebhook(SECRET, body, Math.floor(Date.now() / 1000) - 900);
      expect((await send(signWebhook('whsec_forger', body), 'dlv_forged')).statusCode).toBe(400);
      expect((await send(stale, 'dlv_stale')).statusCode).toBe(400);
      expect((await send(signWebhook(SECRET, body), 'dlv_ok')).statusCode).toBe(202);
      expect((await call(url, { url: `/engagements/${KNOWN_ID}`, headers: auth })).statusCode).toBe(200);

      const rejected = lines
        .map((line) => JSON.parse(line) as { msg: string; deliveryId?: string; reason?: string })
        .filter((entry) => entry.msg === 'rejected OpenTrain webhook delivery');
      expect(rejected.map((entry) => entry.deliveryId)).toEqual(['dlv_forged', 'dlv_stale']);
      for (const entry of rejected) expect(entry.reason).toEqual(expect.any(String));
      const all = lines.join('');
      for (const secret of [TOKEN, SECRET, stale.split('v1=')[1] ?? stale]) expect(all).not.toContain(secret);
    } finally {
      await logged.close();
    }
  });
});
