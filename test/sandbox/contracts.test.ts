import { fundedMilestone, hire, milestoneTerms, useTestSandbox, unfundedMilestone } from './support';

const env = useTestSandbox();

describe('milestones and contracts', () => {
  it('creates an unfunded milestone numbered after the existing ones (201)', async () => {
    const api = await env.account();
    const { contractId } = await hire(env, api);
    const created = await api.post(`/contracts/${contractId}/milestones`, {
      name: 'Second batch',
      description: 'Label the next 5,000 posts',
      amountUsd: 300,
      dueDate: '2026-07-15',
    });
    expect(created.status).toBe(201);
    expect(created.body.milestone).toEqual({
      id: expect.any(String),
      name: 'Second batch',
      description: 'Label the next 5,000 posts',
      status: 'NOT_FUNDED',
      amountUsd: 300,
      volume: null,
      milestoneNumber: 2,
      dueDate: '2026-07-15T00:00:00.000Z',
      pendingApproval: false,
      needsReview: false,
      invoiceId: null,
      createdAt: expect.any(String),
    });
  });

  it.each([
    [{ amountUsd: 10 }, 'description'],
    [{ description: '   ', amountUsd: 10 }, 'description'],
    [{ description: 'x' }, 'amountUsd'],
    [{ description: 'x', amountUsd: 0 }, 'amountUsd'],
    [{ description: 'x', amountUsd: 10, dueDate: 'soon' }, 'dueDate'],
  ])('rejects milestone body %j with 400 naming %s', async (body, field) => {
    const api = await env.account();
    const { contractId } = await hire(env, api);
    const response = await api.post(`/contracts/${contractId}/milestones`, body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'BAD_REQUEST', details: { field } });
  });

  it('prices hourly milestones by volume and checks amountUsd against rate × volume', async () => {
    const api = await env.account();
    const { proposalId } = await env.proposal(api, {
      paymentType: 'PAY_PER_HOUR',
      rateUsd: 20,
    });
    const requested = await api.post(`/proposals/${proposalId}/hire`, { milestone: milestoneTerms });
    const { result } = await env.control.confirmApproval(requested.body.approval.id);
    const contractId = String(result?.contractId);
    expect(
      (await api.post(`/contracts/${contractId}/milestones`, { description: 'x' })).body.details.field,
    ).toBe('volume');
    const wrong = await api.post(`/contracts/${contractId}/milestones`, {
      description: 'x',
      volume: 10,
      amountUsd: 100,
    });
    expect(wrong.body.details.field).toBe('amountUsd');
    const created = await api.post(`/contracts/${contractId}/milestones`, { description: 'x', volume: 10 });
    expect(created.body.milestone).toMatchObject({ amountUsd: 200, volume: 10 });
  });

  it('ends a contract directly (200) when nothing is funded, then answers 409 contract_ended to every write', async () => {
    const api = await env.account();
    const { contractId, firstMilestoneId } = await hire(env, api);
    const release = await api.post(`/milestones/${firstMilestoneId}/approve`);
    await env.control.confirmApproval(release.body.approval.id);
    const unfunded = await api.post(`/contracts/${contractId}/milestones`, {
      description: 'never funded',
      amountUsd: 5,
    });

    const ended = await api.post(`/contracts/${contractId}/end`);
    expect(ended.status).toBe(200);
    expect(ended.body).toEqual({ ok: true, contractId, status: 'ended' });
    const { contract } = (await api.get(`/contracts/${contractId}`)).body;
    expect(contract.status).toBe('ended');
    expect(contract.endDate).toEqual(expect.any(String));

    for (const [path, body] of [
      [`/contracts/${contractId}/end`, undefined],
      [`/contracts/${contractId}/milestones`, { description: 'x', amountUsd: 1 }],
      [`/milestones/${unfunded.body.milestone.id}/fund`, undefined],
    ] as const) {
      const response = await api.post(path, body);
      expect(response.status).toBe(409);
      expect(response.body.details.reason).toBe('contract_ended');
    }
  });

  it('asks for a contract_end co-sign (202) while a milestone is funded, idempotently while pending', async () => {
    const api = await env.account();
    const { contractId, firstMilestoneId } = await hire(env, api);
    const first = await api.post(`/contracts/${contractId}/end`);
    expect(first.status).toBe(202);
    expect(first.body.approval).toMatchObject({
      type: 'contract_end',
      contractId,
      milestoneId: null,
      proposalId: null,
      status: 'pending',
    });
    expect(first.body.message).toMatch(/funded milestones/);
    const again = await api.post(`/contracts/${contractId}/end`);
    expect(again.status).toBe(202);
    expect(again.body.approval.id).toBe(first.body.approval.id);
    expect((await api.get(`/contracts/${contractId}`)).body.contract.status).toBe('active');

    await env.control.confirmApproval(first.body.approval.id);
    const { contract } = (await api.get(`/contracts/${contractId}`)).body;
    expect(contract.status).toBe('ended');
    // Refunded escrow leaves the timeline (docs/opentrain-api.md#contracts).
    expect(contract.milestones.map((m: { id: string }) => m.id)).not.toContain(firstMilestoneId);
  });

  it('returns the same fund and release approvals while pending, and flags the milestone pendingApproval', async () => {
    const api = await env.account();
    const { contractId } = await hire(env, api);
    const id = await unfundedMilestone(api, contractId, 50, 'b2');
    const fund = await api.post(`/milestones/${id}/fund`);
    expect(fund.body.approval).toMatchObject({
      type: 'milestone_fund',
      milestoneId: id,
      contractId,
      proposalId: null,
    });
    expect((await api.post(`/milestones/${id}/fund`)).body.approval.id).toBe(fund.body.approval.id);
    const listed = (await api.get(`/contracts?status=active`)).body.contracts.find(
      (c: { id: string }) => c.id === contractId,
    );
    expect(listed.milestones[1]).toMatchObject({ id, pendingApproval: true, status: 'NOT_FUNDED' });
    await env.control.confirmApproval(fund.body.approval.id);

    const release = await api.post(`/milestones/${id}/approve`);
    expect(release.body.approval.type).toBe('milestone_approve');
    expect(release.body.message).toMatch(/^Release request recorded/);
    expect((await api.post(`/milestones/${id}/approve`)).body.approval.id).toBe(release.body.approval.id);
  });

  it('answers the documented 409 catalog for fund, approve and hire', async () => {
    const api = await env.account();
    const { contractId, firstMilestoneId, proposalId } = await hire(env, api);
    const fundFunded = await api.post(`/milestones/${firstMilestoneId}/fund`);
    expect(fundFunded.status).toBe(409);
    expect(fundFunded.body.details.reason).toBe('milestone_not_fundable');

    const milestoneId = await unfundedMilestone(api, contractId, 50, 'b2');
    const approveUnfunded = await api.post(`/milestones/${milestoneId}/approve`);
    expect(approveUnfunded.status).toBe(409);
    expect(approveUnfunded.body.details.reason).toBe('milestone_not_funded');

    const rehire = await api.post(`/proposals/${proposalId}/hire`, { milestone: milestoneTerms });
    expect(rehire.status).toBe(409);
    expect(rehire.body.details.reason).toBe('already_accepted');

    const { proposalId: notAFit } = await env.proposal(api, {
      notAFit: true,
    });
    const warned = await api.post(`/proposals/${notAFit}/hire`, { milestone: milestoneTerms });
    expect(warned.status).toBe(409);
    expect(warned.body).toMatchObject({
      code: 'CONFLICT',
      details: { reason: 'not_fit_confirmation_required' },
    });
    const overridden = await api.post(`/proposals/${notAFit}/hire`, {
      milestone: milestoneTerms,
      confirmNotFitOverride: true,
    });
    expect(overridden.status).toBe(202);
  });

  it('answers 409 milestone_cancelled to funding a milestone the human cancelled, which leaves the timeline', async () => {
    const api = await env.account();
    const { contractId } = await hire(env, api);
    const milestoneId = await unfundedMilestone(api, contractId, 50, 'b2');
    const pendingFund = await api.post(`/milestones/${milestoneId}/fund`);
    expect(pendingFund.status).toBe(202);

    const cancelled = await env.control.cancelMilestone(milestoneId);
    expect(cancelled).toMatchObject({ id: milestoneId, status: 'CANCELLED', pendingApproval: false });
    // The human who cancelled it will not fund it: the pending request resolves as declined.
    const funding = await api.get(`/approvals/${pendingFund.body.approval.id}`);
    expect(funding.body.approval).toMatchObject({ status: 'declined', result: null });

    const fund = await api.post(`/milestones/${milestoneId}/fund`);
    expect(fund.status).toBe(409);
    expect(fund.body).toMatchObject({ code: 'CONFLICT', details: { reason: 'milestone_cancelled' } });
    const contract = (await api.get(`/contracts/${contractId}`)).body.contract;
    expect(contract.milestones.map((m: { id: string }) => m.id)).not.toContain(milestoneId);
    const events = (await api.get('/updates?limit=200')).body.events;
    expect(events.at(-1)).toMatchObject({
      type: 'milestone.status_changed',
      resourceId: milestoneId,
      data: { milestoneId, contractId, status: 'CANCELLED' },
    });
  });

  it('lets the human cancel only an unfunded milestone (control API 409 otherwise, 404 when unknown)', async () => {
    const api = await env.account();
    const { firstMilestoneId } = await hire(env, api);
    await expect(env.control.cancelMilestone(firstMilestoneId)).rejects.toMatchObject({
      status: 409,
      body: { details: { reason: 'milestone_not_cancellable' } },
    });
    await expect(env.control.cancelMilestone('mil_missing')).rejects.toMatchObject({ status: 404 });
    const fund = await api.post(`/milestones/${firstMilestoneId}/fund`);
    expect(fund.body.details.reason).toBe('milestone_not_fundable');
  });

  it('answers 400 naming the field for bad hire bodies and 404 for unknown or foreign proposals', async () => {
    const api = await env.account();
    const { proposalId } = await env.proposal(api);
    const noAmount = await api.post(`/proposals/${proposalId}/hire`, { milestone: { name: 'x' } });
    expect(noAmount.body.details.field).toBe('milestone.amount');
    const noName = await api.post(`/proposals/${proposalId}/hire`, { milestone: { amount: 10 } });
    expect(noName.body.details.field).toBe('milestone.description');
    const notJson = await api.post(`/proposals/${proposalId}/hire`, undefined);
    expect(notJson.status).toBe(400);

    const stranger = await env.account();
    const foreign = await stranger.post(`/proposals/${proposalId}/hire`, { milestone: milestoneTerms });
    expect(foreign.status).toBe(404);
    expect(foreign.body.details).toEqual({ resource: 'proposals', proposalId });
    expect((await api.post('/milestones/nope/fund')).status).toBe(404);
  });

  it('lists contracts by job and status, without the thread id, and rejects an unknown status', async () => {
    const api = await env.account();
    const { jobId, contractId } = await hire(env, api);
    const listed = await api.get(`/contracts?jobId=${jobId}`);
    expect(listed.body.contracts).toHaveLength(1);
    expect(listed.body.contracts[0].id).toBe(contractId);
    expect(listed.body.contracts[0]).not.toHaveProperty('jobDmConversationId');
    expect((await api.get(`/contracts?jobId=${jobId}&status=ended`)).body.contracts).toEqual([]);
    const bad = await api.get('/contracts?status=paused');
    expect(bad.status).toBe(400);
    expect(bad.body.details.field).toBe('status');
  });

  it('reports the budget of funded milestones on the single-contract read', async () => {
    const api = await env.account();
    const { contractId } = await hire(env, api);
    const { milestoneId } = await fundedMilestone(env, api, contractId, 100);
    const { contract } = (await api.get(`/contracts/${contractId}`)).body;
    expect(contract.budget).toMatchObject({
      contractId,
      paymentType: 'FIXED_PRICE',
      state: 'OK',
      fundedAmountUsd: 400,
      activeMilestone: expect.objectContaining({ status: 'ACTIVE_FUNDED' }),
    });
    expect(contract.milestones.map((m: { id: string }) => m.id)).toContain(milestoneId);
    expect(contract.hasActiveMilestone).toBe(true);
  });

  it('posts a message on the contract job thread (201) and 404s an unknown conversation', async () => {
    const api = await env.account();
    const { contractId, jobId } = await hire(env, api);
    const { contract } = (await api.get(`/contracts/${contractId}`)).body;
    const sent = await api.post('/messages', {
      conversationId: contract.jobDmConversationId,
      content: 'Welcome!',
    });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({
      ok: true,
      message: {
        conversationId: contract.jobDmConversationId,
        jobId,
        content: 'Welcome!',
        isFromViewer: true,
      },
    });
    expect((await api.post('/messages', { conversationId: 'cnv_nope', content: 'x' })).status).toBe(404);
    const empty = await api.post('/messages', { conversationId: contract.jobDmConversationId, content: '' });
    expect(empty.status).toBe(400);
    expect(empty.body.details.field).toBe('content');
  });
});
