import { fetch } from 'undici';
import { hire, useTestSandbox } from './support';

const env = useTestSandbox();

async function pageText(url: string): Promise<{ status: number; html: string }> {
  const response = await fetch(url);
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  return { status: response.status, html: await response.text() };
}

describe('approval pages (HTML, no bearer token)', () => {
  it('shows a funding request with its 10% fee and no initiation fee, and Confirm/Decline forms', async () => {
    const api = await env.account();
    const { contractId } = await hire(env, api);
    const created = await api.post(`/contracts/${contractId}/milestones`, {
      name: 'Batch <2>',
      description: 'Next',
      amountUsd: 200,
    });
    const fund = await api.post(`/milestones/${created.body.milestone.id}/fund`);
    const { status, html } = await pageText(fund.body.approval.approvalUrl);
    expect(status).toBe(200);
    expect(html).toContain('Fund a milestone');
    expect(html).toContain('Batch &lt;2&gt;');
    expect(html).toContain('$20.00');
    expect(html).toContain('$220.00');
    expect(html).not.toContain('$9.95');
    expect(html).toContain(`action="/approvals/${fund.body.approval.id}/confirm"`);
    expect(html).toContain(`action="/approvals/${fund.body.approval.id}/decline"`);
  });

  it('confirms a release through the form and redirects back to the page showing the result', async () => {
    const api = await env.account();
    const { firstMilestoneId } = await hire(env, api);
    const release = await api.post(`/milestones/${firstMilestoneId}/approve`);
    const { id, approvalUrl } = release.body.approval;
    expect((await pageText(approvalUrl)).html).toContain('Release a milestone payment');
    const posted = await fetch(`${env.sandbox.url}/approvals/${id}/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
      redirect: 'manual',
    });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toMatch(new RegExp(`^/approvals/${id}\\?notice=Confirmed`));
    const after = await pageText(`${env.sandbox.url}${posted.headers.get('location')}`);
    expect(after.html).toContain('<span id="status">confirmed</span>');
    expect(after.html).toContain('payoutTransactionId');
    expect(after.html).not.toContain('id="confirm"');
    expect((await api.get(`/approvals/${id}`)).body.approval.status).toBe('confirmed');
  });

  it('shows the escrow an end would return, and reports a refused edit without confirming', async () => {
    const api = await env.account();
    const { contractId } = await hire(env, api);
    const end = await api.post(`/contracts/${contractId}/end`);
    expect((await pageText(end.body.approval.approvalUrl)).html).toContain('Funded escrow returned to you');

    const { proposalId } = await env.proposal(api);
    const requested = await api.post(`/proposals/${proposalId}/hire`, {
      milestone: { name: 'x', amount: 10 },
    });
    const posted = await fetch(`${env.sandbox.url}/approvals/${requested.body.approval.id}/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'amount=-5&name=x',
      redirect: 'manual',
    });
    expect(decodeURIComponent(posted.headers.get('location') ?? '')).toMatch(/notice=Not confirmed: amount/);
    expect((await api.get(`/approvals/${requested.body.approval.id}`)).body.approval.status).toBe('pending');
  });

  it('answers 404 for an unknown approval', async () => {
    expect((await pageText(`${env.sandbox.url}/approvals/apr_missing`)).status).toBe(404);
  });
});
