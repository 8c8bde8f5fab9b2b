import { fetch } from 'undici';
import { SCOPES } from '../../sandbox/catalog';
import { milestoneTerms, useTestSandbox, TestApi } from './support';

const env = useTestSandbox();

describe('authentication and the three gates', () => {
  it('answers 401 UNAUTHORIZED with the envelope for a missing or unknown token', async () => {
    for (const token of [undefined, 'ot_pat_unknown_token']) {
      const response = await new TestApi(env.sandbox.apiBaseUrl, token).get('/auth/me');
      expect(response.status).toBe(401);
      expect(response.body).toEqual({
        error: expect.any(String),
        code: 'UNAUTHORIZED',
        requestId: expect.any(String),
      });
    }
  });

  it('issues ot_pat_ tokens and reports claim status and scopes on /auth/me', async () => {
    const api = await env.account({ claimed: false, scopes: ['payments:read'] });
    expect(api.token).toMatch(/^ot_pat_[0-9a-f]+_[0-9a-f]+$/);
    const me = await api.get('/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.token.scopes).toEqual(['payments:read']);
    expect(me.body.account).toMatchObject({ claimed: false, claimUrl: expect.stringContaining('/claim') });
    const claimPage = await fetch(me.body.account.claimUrl);
    expect(claimPage.status).toBe(200);
    expect(await claimPage.text()).toContain('"claimed": true');
    const claimed = await (await env.account()).get('/auth/me');
    expect(claimed.body.account.claimed).toBe(true);
    expect(claimed.body.account).not.toHaveProperty('claimUrl');
  });

  it('checks scope before claim before feature on a hire', async () => {
    const api = await env.account({ scopes: ['proposals:read'], claimed: false, features: [] });
    const { proposalId } = await env.proposal(api);
    const hire = () => api.post(`/proposals/${proposalId}/hire`, { milestone: milestoneTerms });

    let response = await hire();
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({
      code: 'FORBIDDEN',
      details: { requiredScopes: ['proposals:write'] },
    });

    await env.control.updateAccount(api.token ?? '', { scopes: ['proposals:write'] });
    response = await hire();
    expect(response.status).toBe(403);
    expect(response.body.details).toEqual({
      reason: 'account_claim_required',
      action: 'hire AI trainers',
      claimUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/claim$/),
    });

    await env.control.updateAccount(api.token ?? '', { claimed: true });
    response = await hire();
    expect(response.status).toBe(403);
    expect(response.body.details).toEqual({ featureKey: 'public_api_hiring', mode: expect.any(String) });

    await env.control.updateAccount(api.token ?? '', { features: ['public_api_hiring'] });
    expect((await hire()).status).toBe(202);
  });

  it('requires a claimed account for milestone, funding, release and end writes', async () => {
    const api = await env.account({ claimed: false });
    for (const path of [
      '/contracts/c/milestones',
      '/milestones/m/fund',
      '/milestones/m/approve',
      '/contracts/c/end',
    ]) {
      const response = await api.post(path, {});
      expect(response.status).toBe(403);
      expect(response.body.details.reason).toBe('account_claim_required');
    }
  });

  it('lets :write imply :read', async () => {
    const api = await env.account({ scopes: ['payments:write'] });
    expect((await api.get('/contracts')).status).toBe(200);
  });

  it('reflects the account features in the capabilities probe, which itself needs job drafting', async () => {
    const api = await env.account({ features: ['public_api_job_drafting', 'public_api_hiring'] });
    const probe = await api.get('/job-drafts/capabilities');
    expect(probe.status).toBe(200);
    expect(probe.body).toMatchObject({ featureKey: 'public_api_job_drafting', enabled: true });
    expect(probe.body.capabilities).toMatchObject({
      hiring: true,
      paymentsWrite: false,
      credits: false,
      webhooks: false,
    });

    const off = await (await env.account({ features: [] })).get('/job-drafts/capabilities');
    expect(off.status).toBe(403);
    expect(off.body.details).toMatchObject({
      featureKey: 'public_api_job_drafting',
      mode: expect.any(String),
    });
  });

  it('gates /credits on payments:read and public_api_credits, and gives zeros to accounts that never used credits', async () => {
    const none = await (await env.account({ features: [] })).get('/credits');
    expect(none.status).toBe(403);
    expect(none.body.details.featureKey).toBe('public_api_credits');
    const fresh = await (await env.account()).get('/credits');
    expect(fresh.body).toEqual({
      credits: { availableCents: 0, reservedCents: 0, currency: 'usd', recentEntries: [] },
    });
  });

  it('rejects unknown scope names on the control API', async () => {
    await expect(env.control.createAccount({ scopes: ['payments:everything'] })).rejects.toMatchObject({
      status: 400,
    });
    const everything = await (await env.account()).get('/auth/me');
    expect(everything.body.token.scopes).toEqual([...SCOPES]);
  });
});
