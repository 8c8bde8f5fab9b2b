import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../client/http/api';
import { MAX_PATH_PARAM_LENGTH } from '../../client/http/edges';
import { ENGAGEMENT_ID_MAX_LENGTH, ID_MAX_LENGTH } from '../../domain/inputs';
import { fakeEngagements, KNOWN_ID, sampleState } from './fake-engagements';
import { call, listenLocal } from './http-call';

const TOKEN = 'test-api-token';
const auth = { authorization: `Bearer ${TOKEN}` };

let engagements: ReturnType<typeof fakeEngagements>;
let app: FastifyInstance;
let baseUrl: string;
const send = (options: Parameters<typeof call>[1]) =>
  call(baseUrl, { ...options, headers: { ...auth, ...options.headers } });
const postJson = (url: string, text: string) =>
  send({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: text });
const fieldPaths = (body: { fields?: { path: string }[] }) => (body.fields ?? []).map((f) => f.path);
const noCalls = () => {
  for (const fn of Object.values(engagements)) expect(fn).not.toHaveBeenCalled();
};

beforeEach(async () => {
  engagements = fakeEngagements();
  app = await buildApi({ engagements, apiToken: TOKEN });
  baseUrl = await listenLocal(app);
});
afterEach(() => app.close());

const start = (overrides: Record<string, unknown>) => ({
  proposalId: 'p_1',
  firstMilestone: { description: 'Label 100 items', amountUsd: 50 },
  ...overrides,
});

describe('ids at the router limit', () => {
  const proposalId = 'p'.repeat(ID_MAX_LENGTH);
  const longId = `engagement-${proposalId}`;

  it('lets the longest id through the router, with room to spare', () => {
    expect(longId).toHaveLength(ENGAGEMENT_ID_MAX_LENGTH);
    expect(MAX_PATH_PARAM_LENGTH).toBeGreaterThan(ENGAGEMENT_ID_MAX_LENGTH);
  });

  it('starts a 200-character proposal, and every route on its engagement answers', async () => {
    const known = (id: string) => {
      if (id !== longId) throw new Error(`unexpected id ${id}`);
    };
    const view = { id: 'm_1', name: null, description: 'x', amountUsd: 1, status: 'NOT_FUNDED' as const };
    const state = sampleState({ engagementId: longId });
    engagements.getState.mockImplementation(async (id) => (known(id), state));
    engagements.addMilestone.mockImplementation(async (id) => (known(id), view));
    engagements.fundMilestone.mockImplementation(async (id) => (known(id), view));
    engagements.releaseMilestone.mockImplementation(async (id) => (known(id), view));
    engagements.end.mockImplementation(async (id) => (known(id), state));
    engagements.retry.mockImplementation(async (id) => (known(id), state));
    engagements.recheckPreconditions.mockImplementation(async (id) => known(id));
    engagements.confirmNotFit.mockImplementation(async (id) => (known(id), state));

    const started = await send({ method: 'POST', url: '/engagements', payload: start({ proposalId }) });
    expect(started.statusCode).toBe(201);
    expect(started.headers.location).toBe(`/engagements/${longId}`);
    const routes: [string, string, unknown, number][] = [
      ['GET', `/engagements/${longId}`, undefined, 200],
      ['POST', `/engagements/${longId}/milestones`, { description: 'x', amountUsd: 1 }, 201],
      ['POST', `/engagements/${longId}/milestones/${'m'.repeat(ID_MAX_LENGTH)}/fund`, undefined, 202],
      ['POST', `/engagements/${longId}/milestones/m_1/release`, undefined, 202],
      ['POST', `/engagements/${longId}/end`, undefined, 202],
      ['POST', `/engagements/${longId}/retry`, { milestoneId: 'm_1' }, 200],
      ['POST', `/engagements/${longId}/recheck`, undefined, 202],
      ['POST', `/engagements/${longId}/confirm-not-fit`, undefined, 200],
    ];
    for (const [method, url, payload, status] of routes) {
      const res = await send({ method, url, payload });
      expect([url, res.statusCode]).toEqual([url, status]);
    }
  });

  it('answers a 201-character proposal id, engagement id or milestone id with a 400 naming it', async () => {
    const tooLong = await send({
      method: 'POST',
      url: '/engagements',
      payload: start({ proposalId: `${proposalId}x` }),
    });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().fields).toEqual([
      { in: 'body', path: 'proposalId', message: 'must be at most 200 characters' },
    ]);
    const engagement = await send({ url: `/engagements/${longId}x` });
    expect(engagement.statusCode).toBe(400);
    expect(fieldPaths(engagement.json())).toEqual(['id']);
    const milestone = await send({
      method: 'POST',
      url: `/engagements/${KNOWN_ID}/milestones/${'m'.repeat(ID_MAX_LENGTH + 1)}/fund`,
    });
    expect(milestone.statusCode).toBe(400);
    expect(fieldPaths(milestone.json())).toEqual(['milestoneId']);
    noCalls();
  });

  it('answers a parameter past the router limit with a 414 that says URI Too Long', async () => {
    const res = await send({ url: `/engagements/engagement-${'p'.repeat(MAX_PATH_PARAM_LENGTH)}` });
    expect(res.statusCode).toBe(414);
    expect(res.json()).toEqual({
      error: `URI Too Long: a path parameter is longer than ${MAX_PATH_PARAM_LENGTH} characters`,
      code: 'URI_TOO_LONG',
    });
  });
});

describe('JSON bodies', () => {
  it.each([
    ['{"__proto__":{"admin":true},"proposalId":"p_1"}', ['__proto__']],
    [
      '{"proposalId":"p_1","firstMilestone":{"amountUsd":5,"constructor":{"prototype":{}}}}',
      ['firstMilestone.constructor'],
    ],
    ['{"policy":{"__proto__":1},"a":[{"constructor":2}]}', ['a.0.constructor', 'policy.__proto__']],
  ])('refuses prototype keys with a 400 naming them: %s', async (text, paths) => {
    const res = await postJson('/engagements', text);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'BAD_REQUEST' });
    expect(fieldPaths(res.json())).toEqual(paths);
    expect(res.text).not.toContain('not valid JSON');
    noCalls();
  });

  it('still calls malformed JSON malformed, and an empty JSON body empty', async () => {
    const bad = await postJson('/engagements', '{"proposalId":');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toContain('not valid JSON');
    const empty = await postJson('/engagements', '');
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error).toContain('cannot be empty');
  });

  it('parses a deeply nested body without overflowing and refuses it by schema', async () => {
    const depth = 100_000;
    const res = await postJson(`/engagements/${KNOWN_ID}/retry`, `${'['.repeat(depth)}${']'.repeat(depth)}`);
    expect(res.statusCode).toBe(400);
    noCalls();
  });

  it('refuses unknown keys in bodies and query strings, naming each', async () => {
    const res = await send({
      method: 'POST',
      url: '/engagements',
      payload: {
        ...start({}),
        budget: 100,
        firstMilestone: { amountUsd: 5, descripton: 'x' },
        policy: { pollMs: 1 },
      },
    });
    expect(res.statusCode).toBe(400);
    expect(fieldPaths(res.json())).toEqual(
      expect.arrayContaining(['budget', 'firstMilestone.descripton', 'policy.pollMs']),
    );
    const list = await send({ url: '/engagements?phase=active&expiring=24' });
    expect(list.statusCode).toBe(400);
    expect(list.json().fields).toEqual([
      { in: 'querystring', path: 'expiring', message: 'is not a known field' },
    ]);
    const retry = await send({
      method: 'POST',
      url: `/engagements/${KNOWN_ID}/retry`,
      payload: { milestone: 'm_1' },
    });
    expect(fieldPaths(retry.json())).toEqual(['milestone', 'approvalId']);
    noCalls();
  });

  it('documents the strict bodies in the OpenAPI document', async () => {
    const doc = (await send({ url: '/openapi.json' })).json();
    const body = doc.paths['/engagements'].post.requestBody.content['application/json'].schema;
    expect(body.additionalProperties).toEqual({ not: {} });
  });
});

describe('numbers', () => {
  it.each(['0x10', '1e1', '', '%2016', 'Infinity', '16abc'])(
    'refuses expiringWithinHours=%s: decimal numbers only',
    async (hours) => {
      const res = await send({ url: `/engagements?expiringWithinHours=${hours}` });
      expect(res.statusCode).toBe(400);
      expect(fieldPaths(res.json())).toEqual(['expiringWithinHours']);
      noCalls();
    },
  );

  it('reads decimal hours', async () => {
    expect((await send({ url: '/engagements?expiringWithinHours=16' })).statusCode).toBe(200);
    expect((await send({ url: '/engagements?expiringWithinHours=1.5' })).statusCode).toBe(200);
    expect(engagements.list.mock.calls).toEqual([
      [{ expiringWithinHours: 16 }],
      [{ expiringWithinHours: 1.5 }],
    ]);
  });

  it.each(['1e-9', '5e-324', '0.001', '0', '-1', '1000000.01', '1e400'])(
    'refuses amountUsd %s before anything starts',
    async (amount) => {
      const text = `{"proposalId":"p_1","firstMilestone":{"name":"n","amountUsd":${amount}}}`;
      const res = await postJson('/engagements', text);
      expect(res.statusCode).toBe(400);
      expect(fieldPaths(res.json())).toEqual(['firstMilestone.amountUsd']);
      noCalls();
    },
  );

  it('refuses a budget below the hire charge, and a hostile policy, before anything starts', async () => {
    const res = await send({
      method: 'POST',
      url: '/engagements',
      payload: start({
        firstMilestone: { name: 'P', amountUsd: 120 },
        budgetUsd: 100,
        policy: {
          preconditionRecheckMs: 1,
          continueAsNewAfterEvents: 1,
          pollIntervalMinMs: 1,
          pollIntervalMaxMs: 1,
        },
      }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().fields).toEqual(
      expect.arrayContaining([
        {
          in: 'body',
          path: 'budgetUsd',
          message: 'must cover the hire charge of $141.95 (first milestone + 10% + $9.95)',
        },
        ...[
          'pollIntervalMinMs',
          'pollIntervalMaxMs',
          'preconditionRecheckMs',
          'continueAsNewAfterEvents',
        ].map((field) => expect.objectContaining({ path: `policy.${field}` })),
      ]),
    );
    noCalls();
  });
});
