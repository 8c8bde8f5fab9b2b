import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { buildApi } from '../../client/http/api';
import {
  idempotencyHeadersSchema,
  IdempotencyStore,
  useIdempotencyKeys,
} from '../../client/http/idempotency';
import { UpdateRejectedError } from '../../client/errors';
import { fakeEngagements, KNOWN_ID } from './fake-engagements';
import { call, listenLocal } from './http-call';

/** `Idempotency-Key` on the HTTP API: replay, mismatch, waiting for the first, scoping, 5xx, validation, docs. */

const TOKEN = 'idempotency-test-token';

let engagements: ReturnType<typeof fakeEngagements>;
let app: FastifyInstance;
let baseUrl: string;

beforeEach(async () => {
  engagements = fakeEngagements();
  app = await buildApi({
    engagements,
    apiToken: TOKEN,
    webhook: { secret: () => 'whsec_test', ringDoorbell: () => undefined },
  });
  baseUrl = await listenLocal(app);
});
afterEach(() => app.close());

const post = (url: string, key: string | undefined, payload?: unknown, token = TOKEN) =>
  call(baseUrl, {
    method: 'POST',
    url,
    payload,
    headers: { authorization: `Bearer ${token}`, ...(key === undefined ? {} : { 'idempotency-key': key }) },
  });

const milestones = `/engagements/${KNOWN_ID}/milestones`;
const batch = { description: 'Batch 2', amountUsd: 150, fund: true };

function deferred() {
  let release: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

describe('replay', () => {
  it('answers the same key and body with the first response, without a second call', async () => {
    const first = await post(milestones, 'k-add-1', batch);
    const again = await post(milestones, 'k-add-1', { fund: true, amountUsd: 150, description: 'Batch 2' });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers['content-type']).toBe(first.headers['content-type']);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(engagements.addMilestone).toHaveBeenCalledTimes(1);
  });

  it('hands the key down so the workflow keys its intent the same way', async () => {
    await post(milestones, 'k-add-2', batch);
    expect(engagements.addMilestone).toHaveBeenCalledWith(KNOWN_ID, batch, { idempotencyKey: 'k-add-2' });
    await post(`/engagements/${KNOWN_ID}/milestones/m_2/fund`, 'k-fund');
    expect(engagements.fundMilestone).toHaveBeenCalledWith(KNOWN_ID, 'm_2', { idempotencyKey: 'k-fund' });
    await post(`/engagements/${KNOWN_ID}/recheck`, 'k-recheck');
    expect(engagements.recheckPreconditions).toHaveBeenCalledWith(KNOWN_ID, { idempotencyKey: 'k-recheck' });
  });

  it('takes the draft\'s quoted form ("…") as the same key', async () => {
    await post(`/engagements/${KNOWN_ID}/end`, '"k-end"');
    const again = await post(`/engagements/${KNOWN_ID}/end`, 'k-end');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(engagements.end).toHaveBeenCalledTimes(1);
    expect(engagements.end).toHaveBeenCalledWith(KNOWN_ID, { idempotencyKey: 'k-end' });
  });

  it('replays the Location header of a start', async () => {
    const start = { proposalId: 'p_7', firstMilestone: { name: 'Pilot', amountUsd: 120 } };
    const first = await post('/engagements', 'k-start', start);
    const again = await post('/engagements', 'k-start', start);
    expect(again.statusCode).toBe(201);
    expect(again.headers.location).toBe('/engagements/engagement-p_7');
    expect(engagements.start).toHaveBeenCalledTimes(1);
    expect(first.text).toBe(again.text);
  });

  it('replays a refusal (4xx) as well: the key already had its answer', async () => {
    const first = await post(`/engagements/${KNOWN_ID}/milestones/m_over_budget/fund`, 'k-over');
    const again = await post(`/engagements/${KNOWN_ID}/milestones/m_over_budget/fund`, 'k-over');
    expect(first.statusCode).toBe(409);
    expect(again.statusCode).toBe(409);
    expect(again.text).toBe(first.text);
    expect(engagements.fundMilestone).toHaveBeenCalledTimes(1);
  });

  it('does not keep a "not now" refusal: it says Retry-After, and the same key runs again', async () => {
    engagements.end.mockRejectedValueOnce(
      new UpdateRejectedError(KNOWN_ID, 'endContract', 'a release is open', 'approvals_in_flight'),
    );
    const first = await post(`/engagements/${KNOWN_ID}/end`, 'k-end');
    expect(first.statusCode).toBe(409);
    expect(first.headers['retry-after']).toBe('3');
    const again = await post(`/engagements/${KNOWN_ID}/end`, 'k-end');
    expect(again.statusCode).toBe(202);
    expect(engagements.end).toHaveBeenCalledTimes(2);
  });

  it('without the header every request is its own', async () => {
    await post(milestones, undefined, batch);
    await post(milestones, undefined, batch);
    expect(engagements.addMilestone).toHaveBeenCalledTimes(2);
    expect(engagements.addMilestone).toHaveBeenNthCalledWith(1, KNOWN_ID, batch);
  });
});

describe('mismatch', () => {
  it('refuses the same key with another body with 422 idempotency_key_mismatch', async () => {
    await post(milestones, 'k-mm', batch);
    const other = await post(milestones, 'k-mm', { ...batch, amountUsd: 151 });
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ code: 'idempotency_key_mismatch', error: expect.any(String) });
    expect(engagements.addMilestone).toHaveBeenCalledTimes(1);
  });

  it("maps the workflow's own idempotency_key_mismatch to the same 422", async () => {
    engagements.fundMilestone.mockRejectedValueOnce(
      new UpdateRejectedError(KNOWN_ID, 'fundMilestone', 'key used before', 'idempotency_key_mismatch', {
        intentKey: 'k-old',
      }),
    );
    const res = await post(`/engagements/${KNOWN_ID}/milestones/m_2/fund`, 'k-old');
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'idempotency_key_mismatch',
      failureType: 'idempotency_key_mismatch',
      details: { intentKey: 'k-old' },
    });
  });
});

describe('scope', () => {
  it('does not share a key between routes or path parameters', async () => {
    await post(`/engagements/${KNOWN_ID}/milestones/m_2/fund`, 'k-shared');
    await post(`/engagements/${KNOWN_ID}/milestones/m_1/fund`, 'k-shared');
    await post(`/engagements/${KNOWN_ID}/milestones/m_2/release`, 'k-shared');
    expect(engagements.fundMilestone).toHaveBeenCalledTimes(2);
    expect(engagements.releaseMilestone).toHaveBeenCalledTimes(1);
  });

  it('does not share a key between bearer tokens, and keeps no token in the store', async () => {
    // The API takes one token, so two callers are shown on the hooks alone, over one shared store.
    const store = new IdempotencyStore();
    const calls: string[] = [];
    const shared = Fastify();
    shared.setValidatorCompiler(validatorCompiler);
    shared.setSerializerCompiler(serializerCompiler);
    useIdempotencyKeys(shared, store);
    shared.post('/things', { schema: { headers: idempotencyHeadersSchema } }, async (request) => {
      calls.push(String(request.headers.authorization));
      return { n: calls.length };
    });
    const url = await listenLocal(shared);
    try {
      const send = (token: string) =>
        call(url, {
          method: 'POST',
          url: '/things',
          headers: { authorization: `Bearer ${token}`, 'idempotency-key': 'k-token' },
        });
      expect((await send('token-of-alice')).json()).toEqual({ n: 1 });
      expect((await send('token-of-bob')).json()).toEqual({ n: 2 });
      const replayed = await send('token-of-alice');
      expect(replayed.json()).toEqual({ n: 1 });
      expect(replayed.headers['idempotent-replayed']).toBe('true');
      expect(calls).toHaveLength(2);
      const kept = JSON.stringify([
        ...(store as unknown as { entries: Map<string, unknown> }).entries.keys(),
      ]);
      expect(kept).not.toContain('token-of-alice');
      expect(kept).not.toContain('token-of-bob');
    } finally {
      await shared.close();
    }
  });
});

describe('concurrency', () => {
  it('makes a repeat that arrives while the first runs wait for its outcome: one call, one answer', async () => {
    const gate = deferred();
    engagements.releaseMilestone.mockImplementationOnce(async (_id, milestoneId) => {
      await gate.promise;
      return { id: milestoneId, name: null, description: 'Set up', amountUsd: 120, status: 'FUNDED' };
    });
    const url = `/engagements/${KNOWN_ID}/milestones/m_1/release`;
    const first = post(url, 'k-race');
    while (engagements.releaseMilestone.mock.calls.length === 0) await new Promise((r) => setTimeout(r, 5));
    const second = post(url, 'k-race');
    await new Promise((r) => setTimeout(r, 50)); // the second is parked behind the first, not calling
    const callsWhileRunning = engagements.releaseMilestone.mock.calls.length;
    gate.release();
    const [a, b] = await Promise.all([first, second]);
    expect(callsWhileRunning).toBe(1);
    expect(a.statusCode).toBe(202);
    expect(b.statusCode).toBe(202);
    expect(b.text).toBe(a.text);
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect(engagements.releaseMilestone).toHaveBeenCalledTimes(1);
  });
});

describe('5xx', () => {
  it('does not keep a 5xx: the retry with the same key tries again', async () => {
    engagements.end.mockRejectedValueOnce(new Error('Temporal is down'));
    const failed = await post(`/engagements/${KNOWN_ID}/end`, 'k-5xx');
    expect(failed.statusCode).toBe(500);
    const retried = await post(`/engagements/${KNOWN_ID}/end`, 'k-5xx');
    expect(retried.statusCode).toBe(202);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(engagements.end).toHaveBeenCalledTimes(2);
  });
});

describe('validation', () => {
  it.each([
    ['too long', 'k'.repeat(201)],
    ['only spaces inside quotes', '"   "'],
    ['empty quotes', '""'],
  ])('answers 400 naming Idempotency-Key for a key %s, and calls nothing', async (_what, key) => {
    const res = await post(`/engagements/${KNOWN_ID}/end`, key);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'BAD_REQUEST',
      fields: [expect.objectContaining({ in: 'headers', path: 'Idempotency-Key' })],
    });
    expect(engagements.end).not.toHaveBeenCalled();
  });

  it('accepts a 200-character key', async () => {
    expect((await post(`/engagements/${KNOWN_ID}/end`, 'k'.repeat(200))).statusCode).toBe(202);
  });

  it('does not claim the key for a request refused for its body', async () => {
    expect((await post(milestones, 'k-bad-body', { amountUsd: 0 })).statusCode).toBe(400);
    expect((await post(milestones, 'k-bad-body', batch)).statusCode).toBe(201);
  });
});

describe('OpenAPI', () => {
  it('documents the header and the 422 on every POST, and on nothing else', async () => {
    const res = await call(baseUrl, { url: '/openapi.json', headers: { authorization: `Bearer ${TOKEN}` } });
    const paths = res.json().paths as Record<string, Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const posts = Object.entries(paths).flatMap(([path, ops]) => (ops.post ? [[path, ops.post]] : []));
    expect(posts.map(([path]) => path)).toContain('/webhooks/opentrain');
    for (const [path, op] of posts) {
      if (path === '/webhooks/opentrain') {
        // Not an engagement mutation: it dedupes by delivery id.
        expect(JSON.stringify(op.parameters ?? [])).not.toContain('idempotency-key');
        continue;
      }
      expect(op.parameters).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            in: 'header',
            name: 'idempotency-key',
            required: false,
            description: expect.stringContaining('idempotency_key_mismatch'),
          }),
        ]),
      );
      expect(op.responses['422'].description).toContain('idempotency_key_mismatch');
    }
    // The engagement routes (start, milestones, fund, release, end, retry, recheck, confirm-not-fit, messages).
    expect(posts).toHaveLength(10);
    const header = (op: { parameters?: { in: string }[] }) => op.parameters?.some((p) => p.in === 'header');
    expect(header(paths['/engagements']?.get)).toBeFalsy();
  });
});

describe('IdempotencyStore', () => {
  const ok = { statusCode: 200, headers: {}, payload: '{}' };

  it('forgets a reply after its time to live', async () => {
    let now = 0;
    const store = new IdempotencyStore({ ttlMs: 1_000, now: () => now });
    const first = store.claim('s', 'f');
    if (first.kind !== 'first') throw new Error('expected first');
    first.finish(ok);
    now = 999;
    expect(store.claim('s', 'f').kind).toBe('repeat');
    now = 1_000;
    expect(store.claim('s', 'f').kind).toBe('first');
  });

  it('keeps at most its capacity, dropping the least recently used', () => {
    const store = new IdempotencyStore({ capacity: 2 });
    for (const scope of ['a', 'b']) {
      const claim = store.claim(scope, 'f');
      if (claim.kind === 'first') claim.finish(ok);
    }
    expect(store.claim('a', 'f').kind).toBe('repeat'); // a is now the most recent
    const c = store.claim('c', 'f');
    if (c.kind === 'first') c.finish(ok);
    expect(store.claim('a', 'f').kind).toBe('repeat');
    expect(store.claim('b', 'f').kind).toBe('first');
  });
});
