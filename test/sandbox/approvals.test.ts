import { hire, milestoneTerms, useTestSandbox } from './support';

const HOUR = 60 * 60 * 1000;
const env = useTestSandbox();

async function requestHire(milestone: Record<string, unknown> = milestoneTerms) {
  const api = await env.account();
  const { proposalId, jobId } = await env.proposal(api);
  const response = await api.post(`/proposals/${proposalId}/hire`, { milestone });
  return { api, proposalId, jobId, response };
}

describe('hire approvals', () => {
  it('records a pending proposal_hire approval that expires 72 h after creation, with a link to the sandbox page', async () => {
    const { proposalId, jobId, response } = await requestHire();
    expect(response.status).toBe(202);
    const { approval, message } = response.body;
    expect(message).toMatch(/^Hire request recorded/);
    expect(approval).toMatchObject({
      type: 'proposal_hire',
      status: 'pending',
      contractId: null,
      milestoneId: null,
      jobId,
      proposalId,
      resolvedAt: null,
      result: null,
      approvalUrl: `${env.sandbox.url}/approvals/${approval.id}`,
    });
    expect(Date.parse(approval.expiresAt) - Date.parse(approval.createdAt)).toBe(72 * HOUR);
    expect(approval.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('returns the same approval when the same terms are re-requested while it is pending', async () => {
    const { api, proposalId, response } = await requestHire();
    const again = await api.post(`/proposals/${proposalId}/hire`, { milestone: milestoneTerms });
    expect(again.status).toBe(202);
    expect(again.body.approval.id).toBe(response.body.approval.id);
  });

  it('supersedes the pending approval when different terms are requested (the old one ends expired)', async () => {
    const { api, proposalId, response } = await requestHire();
    const first = response.body.approval;
    const second = await api.post(`/proposals/${proposalId}/hire`, {
      milestone: { ...milestoneTerms, amount: 450 },
    });
    expect(second.status).toBe(202);
    expect(second.body.approval.id).not.toBe(first.id);
    expect(second.body.approval.status).toBe('pending');
    const old = await api.get(`/approvals/${first.id}`);
    expect(old.body.approval.status).toBe('expired');
    expect(old.body.approval.resolvedAt).not.toBeNull();
    const events = await api.get('/updates');
    expect(events.body.events).toContainEqual(
      expect.objectContaining({
        type: 'approval.confirmed',
        data: { approvalId: first.id, status: 'expired' },
      }),
    );
  });

  it('expires a pending approval lazily on the first read after the clock passes expiresAt, emitting approval.confirmed', async () => {
    const { api, response } = await requestHire();
    const { id } = response.body.approval;
    await env.control.advanceClock(72 * HOUR - 1000);
    expect((await api.get(`/approvals/${id}`)).body.approval.status).toBe('pending');
    const before = await api.get('/updates');
    expect(before.body.events.some((e: { type: string }) => e.type === 'approval.confirmed')).toBe(false);

    await env.control.advanceClock(1000);
    const expired = await api.get(`/approvals/${id}`);
    expect(expired.body.approval.status).toBe('expired');
    expect(expired.body.approval.resolvedAt).toBe(expired.body.approval.expiresAt);
    expect(expired.body.approval.result).toBeNull();
    const after = await api.get(`/updates?cursor=${before.body.nextCursor}`);
    expect(after.body.events).toEqual([
      expect.objectContaining({
        type: 'approval.confirmed',
        resourceId: id,
        data: { approvalId: id, status: 'expired' },
      }),
    ]);
  });

  it('creates a fresh approval when the same terms are re-requested after expiry', async () => {
    const { api, proposalId, response } = await requestHire();
    await env.control.advanceClock(73 * HOUR);
    const again = await api.post(`/proposals/${proposalId}/hire`, { milestone: milestoneTerms });
    expect(again.status).toBe(202);
    expect(again.body.approval.id).not.toBe(response.body.approval.id);
    expect((await api.get(`/approvals/${response.body.approval.id}`)).body.approval.status).toBe('expired');
  });

  it('refuses to confirm an approval that expired, even if nobody read it since', async () => {
    const { response } = await requestHire();
    await env.control.advanceClock(73 * HOUR);
    await expect(env.control.confirmApproval(response.body.approval.id)).rejects.toMatchObject({
      status: 409,
    });
    const [listed] = (await env.control.listApprovals()).filter((a) => a.id === response.body.approval.id);
    expect(listed?.status).toBe('expired');
  });

  it('confirms a hire into an active contract whose first milestone is funded with the human-edited terms', async () => {
    const { api, proposalId, jobId, response } = await requestHire();
    const confirmed = await env.control.confirmApproval(response.body.approval.id, {
      milestone: { amount: 450, name: 'Edited batch', dueDate: '2026-08-01' },
    });
    expect(confirmed.status).toBe('confirmed');
    expect(confirmed.resolvedAt).not.toBeNull();
    expect(confirmed.result).toEqual({
      hired: true,
      contractId: expect.any(String),
      jobId,
      freelancerUserId: expect.any(String),
    });
    expect(confirmed.contractId).toBe(confirmed.result?.contractId);
    const { contract } = (await api.get(`/contracts/${String(confirmed.result?.contractId)}`)).body;
    expect(contract).toMatchObject({ status: 'active', proposalId, jobId, endDate: null, rateUsd: 450 });
    expect(contract.freelancer).toEqual({
      userId: confirmed.result?.freelancerUserId,
      displayName: 'Maria G.',
      country: 'Spain',
      profilePath: '/profile/maria-g',
    });
    expect(contract.jobDmConversationId).toEqual(expect.any(String));
    expect(contract.milestones).toEqual([
      expect.objectContaining({
        milestoneNumber: 1,
        name: 'Edited batch',
        description: milestoneTerms.description,
        amountUsd: 450,
        status: 'ACTIVE_FUNDED',
        dueDate: '2026-08-01T00:00:00.000Z',
        invoiceId: expect.any(String),
        pendingApproval: false,
      }),
    ]);
    const types = (await api.get('/updates')).body.events.map((e: { type: string }) => e.type);
    expect(types).toEqual([
      'proposal.received',
      'approval.confirmed',
      'contract.created',
      'proposal.status_changed',
      'milestone.status_changed',
    ]);
  });

  it('declining executes nothing: no contract, and the proposal can still be hired', async () => {
    const { api, proposalId, jobId, response } = await requestHire();
    const declined = await env.control.declineApproval(response.body.approval.id);
    expect(declined).toMatchObject({ status: 'declined', result: null });
    expect((await api.get(`/contracts?jobId=${jobId}`)).body.contracts).toEqual([]);
    const again = await api.post(`/proposals/${proposalId}/hire`, { milestone: milestoneTerms });
    expect(again.status).toBe(202);
    expect(again.body.approval.id).not.toBe(response.body.approval.id);
  });

  it('answers 409 to confirming or declining an approval that is no longer pending', async () => {
    const { response } = await requestHire();
    const { id } = response.body.approval;
    await env.control.declineApproval(id);
    await expect(env.control.confirmApproval(id)).rejects.toMatchObject({
      status: 409,
      body: { code: 'CONFLICT', details: { reason: 'approval_not_pending', status: 'declined' } },
    });
    await expect(env.control.declineApproval(id)).rejects.toMatchObject({ status: 409 });
  });

  it('hides approvals of other accounts behind the documented 404', async () => {
    const { response } = await requestHire();
    const stranger = await env.account();
    const read = await stranger.get(`/approvals/${response.body.approval.id}`);
    expect(read.status).toBe(404);
    expect(read.body).toMatchObject({
      code: 'NOT_FOUND',
      details: { resource: 'approvals', approvalId: response.body.approval.id },
    });
    expect(read.body.requestId).toEqual(expect.any(String));
  });

  it('lists approvals by status on the control API', async () => {
    const api = await env.account();
    const { approvalId } = await hire(env, api);
    const confirmed = await env.control.listApprovals({ status: 'confirmed' });
    expect(confirmed.map((a) => a.id)).toContain(approvalId);
    expect((await env.control.listApprovals({ status: 'pending' })).map((a) => a.id)).not.toContain(
      approvalId,
    );
  });
});
