import { fetch } from 'undici';
import { milestoneTerms, useTestSandbox } from './support';

const env = useTestSandbox();
afterEach(() => env.control.setFaults({}));

describe('fault injection and the request log', () => {
  it('failAfterCommitRate applies the write and then answers 500; the re-request finds the same approval', async () => {
    const api = await env.account();
    const { proposalId } = await env.proposal(api);
    await env.control.setFaults({ failAfterCommitRate: 1 });
    const lost = await api.post(`/proposals/${proposalId}/hire`, { milestone: milestoneTerms });
    expect(lost.status).toBe(500);
    expect(lost.body).toMatchObject({ code: 'INTERNAL_ERROR', requestId: expect.any(String) });
    // Reads are never failed after commit.
    expect((await api.get('/auth/me')).status).toBe(200);

    const pending = (await env.control.listApprovals({ status: 'pending' })).filter(
      (a) => a.proposalId === proposalId,
    );
    expect(pending).toHaveLength(1);
    await env.control.setFaults({});
    const retried = await api.post(`/proposals/${proposalId}/hire`, { milestone: milestoneTerms });
    expect(retried.status).toBe(202);
    expect(retried.body.approval.id).toBe(pending[0]?.id);
  });

  it('errorRate answers 500 without executing anything', async () => {
    const api = await env.account();
    const { proposalId } = await env.proposal(api);
    await env.control.setFaults({ errorRate: 1 });
    const failed = await api.post(`/proposals/${proposalId}/hire`, { milestone: milestoneTerms });
    expect(failed.status).toBe(500);
    await env.control.setFaults({});
    expect((await env.control.listApprovals()).filter((a) => a.proposalId === proposalId)).toEqual([]);
  });

  it('rateLimitRate answers 429 RATE_LIMITED with a Retry-After header in seconds', async () => {
    const api = await env.account();
    await env.control.setFaults({ rateLimitRate: 1, retryAfterSec: 7 });
    const limited = await api.get('/auth/me');
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(limited.headers.get('retry-after')).toBe('7');
  });

  it('latencyMs delays public-API answers', async () => {
    const api = await env.account();
    await env.control.setFaults({ latencyMs: 150 });
    const started = Date.now();
    expect((await api.get('/auth/me')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('never faults the control API or the approval pages', async () => {
    const api = await env.account();
    const { proposalId } = await env.proposal(api);
    const hire = await api.post(`/proposals/${proposalId}/hire`, { milestone: milestoneTerms });
    await env.control.setFaults({ errorRate: 1, rateLimitRate: 1 });
    await expect(env.control.listApprovals()).resolves.toEqual(expect.any(Array));
    expect((await fetch(hire.body.approval.approvalUrl)).status).toBe(200);
  });

  it('records every public-API request in order with path, query, final status and time; DELETE clears it', async () => {
    const api = await env.account();
    await env.control.clearRequests();
    await api.get('/updates?limit=5');
    await api.post('/milestones/missing/fund');
    await api.get('/no-such-endpoint');
    await env.control.setFaults({ failAfterCommitRate: 1 });
    await api.post('/webhooks', { url: 'https://example.com/h', eventTypes: ['approval.confirmed'] });
    await env.control.listApprovals();
    const requests = await env.control.requests();
    expect(requests.map(({ method, path, status }) => ({ method, path, status }))).toEqual([
      { method: 'GET', path: '/api/public/v1/updates?limit=5', status: 200 },
      { method: 'POST', path: '/api/public/v1/milestones/missing/fund', status: 404 },
      { method: 'GET', path: '/api/public/v1/no-such-endpoint', status: 404 },
      { method: 'POST', path: '/api/public/v1/webhooks', status: 500 },
    ]);
    expect(requests[0]?.at).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    await env.control.clearRequests();
    expect(await env.control.requests()).toEqual([]);
  });
});
