import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { OpenTrainApiError, OpenTrainClient, OpenTrainResponseError } from '../../opentrain';
import { sendJson, startStubServer, type StubServer } from './support/stub-server';

const token = 'ot_pat_pub123_s3cr3tV4lue';

const approval = {
  id: 'ap_1',
  type: 'milestone_fund',
  status: 'pending',
  contractId: 'c_1',
  milestoneId: 'm_1',
  jobId: 'j_1',
  approvalUrl: 'https://app.opentrain.ai/approvals/ap_1',
  expiresAt: '2026-06-15T10:00:00.000Z',
  resolvedAt: null,
  result: null,
  createdAt: '2026-06-12T10:00:00.000Z',
};

/** Awaits a rejection and returns it, failing the test when the call succeeded. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

async function apiError(promise: Promise<unknown>): Promise<OpenTrainApiError> {
  const error = await failure(promise);
  expect(error).toBeInstanceOf(OpenTrainApiError);
  return error as OpenTrainApiError;
}

function expectNoToken(value: unknown) {
  const texts = [
    String(value),
    JSON.stringify(value),
    inspect(value, { depth: 10, showHidden: true }),
    value instanceof Error ? `${value.message}\n${value.stack}` : '',
  ];
  for (const text of texts) expect(text).not.toContain('s3cr3tV4lue');
}

describe('OpenTrainClient over HTTP', () => {
  let server: StubServer;
  let client: OpenTrainClient;

  beforeEach(async () => {
    server = await startStubServer();
    client = new OpenTrainClient({ baseUrl: server.baseUrl, token, timeoutMs: 2_000 });
  });

  afterEach(async () => {
    await client.close();
    await server.close();
  });

  it('sends the bearer token, JSON content type and dollar amounts under the base path', async () => {
    server.respond((_req, res) =>
      sendJson(res, 202, { approval: { ...approval, type: 'proposal_hire' }, message: 'ok' }),
    );
    await client.hireProposal('p 1', {
      milestone: { name: 'Batch 1', amountCents: 30_050, dueDate: '2026-07-01' },
      confirmNotFitOverride: true,
    });
    const [request] = server.received;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/api/public/v1/proposals/p%201/hire');
    expect(request?.headers.authorization).toBe(`Bearer ${token}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      milestone: { name: 'Batch 1', amount: 300.5, dueDate: '2026-07-01' },
      confirmNotFitOverride: true,
    });
  });

  it('maps the error envelope to status, code, reason, details and requestId, not retryable for a 409', async () => {
    server.respond((_req, res) =>
      sendJson(res, 409, {
        error: 'Add a payment method first.',
        code: 'CONFLICT',
        requestId: 'req-9d1f',
        details: { reason: 'payment_method_required', billingUrl: 'https://app.opentrain.ai/billing' },
      }),
    );
    const error = await apiError(client.fundMilestone('m_1'));
    expect(error).toMatchObject({
      status: 409,
      code: 'CONFLICT',
      reason: 'payment_method_required',
      details: { reason: 'payment_method_required', billingUrl: 'https://app.opentrain.ai/billing' },
      requestId: 'req-9d1f',
      retryable: false,
      method: 'POST',
      path: '/milestones/m_1/fund',
    });
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.message).toContain('payment_method_required');
    expect(error.message).toContain('Add a payment method first.');
  });

  it('turns a non-JSON error body into HTTP_<status> with a snippet of the body, retryable for a 502', async () => {
    server.respond((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>Bad gateway from the edge proxy</body></html>');
    });
    const error = await apiError(client.getCredits());
    expect(error).toMatchObject({
      status: 502,
      code: 'HTTP_502',
      retryable: true,
      method: 'GET',
      path: '/credits',
    });
    expect(error.message).toContain('Bad gateway from the edge proxy');
    expect(error.reason).toBeUndefined();
  });

  it('reads a JSON body without the envelope code as a non-envelope error', async () => {
    server.respond((_req, res) => sendJson(res, 500, { message: 'boom' }));
    const error = await apiError(client.getMe());
    expect(error).toMatchObject({ status: 500, code: 'HTTP_500', retryable: true });
  });

  it('marks 429 retryable and carries Retry-After given in seconds', async () => {
    server.respond((_req, res) =>
      sendJson(
        res,
        429,
        { error: 'Slow down', code: 'RATE_LIMITED', requestId: 'r1' },
        { 'retry-after': '7' },
      ),
    );
    const error = await apiError(client.getUpdates({ cursor: '10', limit: 50 }));
    expect(error).toMatchObject({ status: 429, code: 'RATE_LIMITED', retryable: true, retryAfterMs: 7_000 });
    expect(server.received[0]?.url).toBe('/api/public/v1/updates?cursor=10&limit=50');
  });

  it('carries Retry-After given as an HTTP date', async () => {
    const at = new Date(Date.now() + 120_000).toUTCString();
    server.respond((_req, res) =>
      sendJson(res, 503, { error: 'Maintenance', code: 'INTERNAL_ERROR' }, { 'retry-after': at }),
    );
    const error = await apiError(client.getMe());
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBeGreaterThan(110_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it.each([
    [400, 'BAD_REQUEST', false],
    [401, 'UNAUTHORIZED', false],
    [403, 'FORBIDDEN', false],
    [404, 'NOT_FOUND', false],
    [500, 'INTERNAL_ERROR', true],
  ])('marks a %i %s as retryable=%s', async (status, code, retryable) => {
    server.respond((_req, res) => sendJson(res, status, { error: 'x', code, requestId: 'r' }));
    const error = await apiError(client.getApproval('ap_1'));
    expect(error).toMatchObject({ status, code, retryable });
  });

  it('fails with TIMEOUT (status 0, retryable) when the server does not answer in time', async () => {
    const slow = new OpenTrainClient({ baseUrl: server.baseUrl, token, timeoutMs: 150 });
    server.respond(() => undefined); // never answers
    try {
      const started = Date.now();
      const error = await apiError(slow.getMe());
      expect(error).toMatchObject({
        status: 0,
        code: 'TIMEOUT',
        retryable: true,
        method: 'GET',
        path: '/auth/me',
      });
      expect(Date.now() - started).toBeLessThan(900);
      expectNoToken(error);
    } finally {
      await slow.close();
    }
  });

  it('fails with ABORTED, not retryable, when the caller aborts (activity cancellation)', async () => {
    server.respond(() => undefined); // never answers
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await apiError(client.getMe({ signal: controller.signal }));
    expect(error).toMatchObject({ status: 0, code: 'ABORTED', retryable: false });
  });

  it('fails with NETWORK_ERROR (status 0, retryable) when the connection is refused', async () => {
    const port = await closedPort();
    const refused = new OpenTrainClient({ baseUrl: `http://127.0.0.1:${port}/api/public/v1`, token });
    try {
      const error = await apiError(refused.listWebhooks());
      expect(error).toMatchObject({ status: 0, code: 'NETWORK_ERROR', retryable: true, path: '/webhooks' });
      expect(error.message).toContain('ECONNREFUSED');
      expectNoToken(error);
    } finally {
      await refused.close();
    }
  });

  it('raises OpenTrainResponseError naming the endpoint and the field when a 2xx body lacks a documented field', async () => {
    const { expiresAt: _dropped, ...withoutExpiry } = approval;
    server.respond((_req, res) => sendJson(res, 200, { approval: withoutExpiry }));
    const error = await failure(client.getApproval('ap_1'));
    expect(error).toBeInstanceOf(OpenTrainResponseError);
    expect(error).toMatchObject({ endpoint: 'GET /approvals/ap_1', field: 'approval.expiresAt' });
    expect((error as Error).message).toContain('approval.expiresAt');
  });

  it('names the nested field when a documented field has the wrong type', async () => {
    server.respond((_req, res) =>
      sendJson(res, 200, {
        credits: { availableCents: '50.00', reservedCents: 0, currency: 'usd', recentEntries: [] },
      }),
    );
    const error = await failure(client.getCredits());
    expect(error).toMatchObject({ endpoint: 'GET /credits', field: 'credits.availableCents' });
  });

  it('raises OpenTrainResponseError for a 2xx body that is not JSON', async () => {
    server.respond((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('OK');
    });
    const error = await failure(client.listContracts());
    expect(error).toMatchObject({
      name: 'OpenTrainResponseError',
      endpoint: 'GET /contracts',
      field: '(body)',
    });
  });

  it('accepts unknown extra fields and unknown enum values', async () => {
    server.respond((_req, res) =>
      sendJson(res, 200, {
        approval: {
          ...approval,
          status: 'superseded',
          riskScore: 3,
          result: { invoiceId: 'inv_1', extra: true },
        },
        servedBy: 'edge-7',
      }),
    );
    const read = await client.getApproval('ap_1');
    expect(read.status).toBe('superseded');
    expect(read.proposalId).toBeNull();
    expect(read.result).toEqual({ invoiceId: 'inv_1', extra: true });
    expect(read).toMatchObject({ riskScore: 3 });
  });

  it('never exposes the token through errors, String(), JSON.stringify() or util.inspect()', async () => {
    server.respond((req, res) =>
      // A misbehaving server that echoes the Authorization header back in its error.
      sendJson(res, 401, {
        error: `Invalid token ${req.headers.authorization}`,
        code: 'UNAUTHORIZED',
        details: { got: req.headers.authorization },
      }),
    );
    const error = await apiError(client.getMe());
    expect(error.message).toContain('[REDACTED]');
    expectNoToken(error);
    expectNoToken(error.toJSON());
    expectNoToken(client);
    expect(JSON.stringify(client)).toContain(server.baseUrl);
    expect(inspect(client)).toContain('[REDACTED]');
  });

  it('reuses one keep-alive connection across clients sharing a base URL', async () => {
    server.respond((_req, res) => sendJson(res, 200, { webhooks: [] }));
    const second = new OpenTrainClient({ baseUrl: server.baseUrl, token });
    try {
      // undici hands the connection back to the pool one tick after the body ends.
      const settle = () => new Promise((resolve) => setImmediate(resolve));
      await client.listWebhooks();
      await settle();
      await second.listWebhooks();
      await settle();
      await client.listWebhooks();
      expect(server.received).toHaveLength(3);
      expect(server.connections()).toBe(1);
      await second.close();
      // The pool stays open for the remaining client.
      await expect(client.listWebhooks()).resolves.toEqual([]);
    } finally {
      await second.close();
    }
  });

  it('refuses calls after close()', async () => {
    await client.close();
    await expect(client.getMe()).rejects.toThrow('closed');
  });
});

/** A port nothing listens on: bind one, note it, release it. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
