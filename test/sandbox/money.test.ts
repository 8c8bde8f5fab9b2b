import {
  fundedMilestone,
  hire,
  milestoneTerms,
  useTestSandbox,
  type TestApi,
  unfundedMilestone,
} from './support';

const env = useTestSandbox();

async function credits(api: TestApi) {
  const response = await api.get('/credits');
  expect(response.status).toBe(200);
  return response.body.credits;
}

describe('fees and the credits ledger', () => {
  it('holds milestone + 10% + $9.95 from credits when a hire is confirmed ($300 → 33995 cents)', async () => {
    const api = await env.account({ cardOnFile: false, creditsCents: 50_000 });
    const { contractId, firstMilestoneId, proposalId } = await hire(env, api);
    const balance = await credits(api);
    expect(balance).toMatchObject({
      availableCents: 50_000 - 33_995,
      reservedCents: 33_995,
      currency: 'usd',
    });
    expect(balance.recentEntries).toEqual([
      expect.objectContaining({
        type: 'HOLD',
        amountCents: -33_995,
        jobofferId: proposalId,
        contractId,
        milestoneId: firstMilestoneId,
        holdEntryId: null,
      }),
    ]);
  });

  it('funds a later milestone with its 10% fee but no second initiation fee, captures it on release', async () => {
    const api = await env.account({ cardOnFile: false, creditsCents: 100_000 });
    const { contractId } = await hire(env, api);
    const { milestoneId, approval } = await fundedMilestone(env, api, contractId, 200);
    expect(approval.result).toEqual({ invoiceId: expect.any(String), paymentIntentId: expect.any(String) });
    let balance = await credits(api);
    expect(balance).toMatchObject({
      availableCents: 100_000 - 33_995 - 22_000,
      reservedCents: 33_995 + 22_000,
    });
    const hold = balance.recentEntries[0];
    expect(hold).toMatchObject({ type: 'HOLD', amountCents: -22_000, milestoneId });

    const release = await api.post(`/milestones/${milestoneId}/approve`);
    expect(release.status).toBe(202);
    const released = await env.control.confirmApproval(release.body.approval.id);
    expect(released.result).toEqual({
      invoiceId: approval.result?.invoiceId,
      payoutTransactionId: expect.any(String),
    });
    balance = await credits(api);
    expect(balance).toMatchObject({ availableCents: 100_000 - 33_995 - 22_000, reservedCents: 33_995 });
    expect(balance.recentEntries[0]).toMatchObject({
      type: 'CAPTURE',
      amountCents: -22_000,
      holdEntryId: hold.id,
      milestoneId,
    });
    const { contract } = (await api.get(`/contracts/${contractId}`)).body;
    expect(contract.milestones.find((m: { id: string }) => m.id === milestoneId).status).toBe('PAID');
  });

  it('pays from the card on file when credits do not cover the charge, leaving the ledger untouched', async () => {
    const api = await env.account({ cardOnFile: true, creditsCents: 1_000 });
    await hire(env, api);
    expect(await credits(api)).toMatchObject({ availableCents: 1_000, reservedCents: 0, recentEntries: [] });
  });

  it('answers 409 payment_method_required with a billingUrl when there is no card and credits are one cent short', async () => {
    const api = await env.account({ cardOnFile: false, creditsCents: 33_994 });
    const { proposalId } = await env.proposal(api);
    const refused = await api.post(`/proposals/${proposalId}/hire`, { milestone: milestoneTerms });
    expect(refused.status).toBe(409);
    expect(refused.body.details).toEqual({
      reason: 'payment_method_required',
      billingUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//),
    });
    await env.control.updateAccount(api.token ?? '', { creditsCents: 33_995 });
    expect((await api.post(`/proposals/${proposalId}/hire`, { milestone: milestoneTerms })).status).toBe(202);
  });

  it('refuses to fund without a payment method and keeps the milestone unfunded', async () => {
    const api = await env.account({ cardOnFile: true });
    const { contractId } = await hire(env, api);
    const created = await api.post(`/contracts/${contractId}/milestones`, {
      description: 'Batch 2',
      amountUsd: 100,
    });
    await env.control.updateAccount(api.token ?? '', { cardOnFile: false, creditsCents: 10_999 });
    const refused = await api.post(`/milestones/${created.body.milestone.id}/fund`);
    expect(refused.status).toBe(409);
    expect(refused.body.details).toMatchObject({
      reason: 'payment_method_required',
      billingUrl: expect.any(String),
    });
    await env.control.updateAccount(api.token ?? '', { creditsCents: 11_000 });
    expect((await api.post(`/milestones/${created.body.milestone.id}/fund`)).status).toBe(202);
  });

  it('lists a requested funding as a pending payment until the human confirms it', async () => {
    const api = await env.account();
    const { contractId, jobId } = await hire(env, api);
    const created = await api.post(`/contracts/${contractId}/milestones`, {
      name: 'Batch 2',
      description: 'Next',
      amountUsd: 120.5,
    });
    const fund = await api.post(`/milestones/${created.body.milestone.id}/fund`);
    const pending = (await api.get('/payments/pending')).body.payments;
    expect(pending).toEqual([
      expect.objectContaining({
        status: 'PENDING_FUNDING',
        invoiceKind: 'FUNDING',
        viewerRole: 'EMPLOYER',
        amountUsd: 120.5,
        invoiceNumber: expect.any(Number),
        job: { id: jobId, title: expect.any(String) },
        milestone: { id: created.body.milestone.id, name: 'Batch 2' },
      }),
    ]);
    const events = (await api.get('/updates')).body.events;
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'payment.pending',
        data: { invoiceId: pending[0].id, milestoneId: created.body.milestone.id, contractId },
      }),
    );
    const confirmed = await env.control.confirmApproval(fund.body.approval.id);
    expect(confirmed.result?.invoiceId).toBe(pending[0].id);
    expect((await api.get('/payments/pending')).body.payments).toEqual([]);
  });

  it('stops listing a pending payment once its funding request has expired, even if nobody read the approval', async () => {
    const api = await env.account();
    const { contractId } = await hire(env, api);
    const milestoneId = await unfundedMilestone(api, contractId, 40, 'b2');
    const fund = await api.post(`/milestones/${milestoneId}/fund`);
    expect((await api.get('/payments/pending')).body.payments).toHaveLength(1);

    await env.control.advanceClock(73 * 60 * 60 * 1000);
    expect((await api.get('/payments/pending')).body.payments).toEqual([]);
    const approval = (await api.get(`/approvals/${fund.body.approval.id}`)).body.approval;
    expect(approval).toMatchObject({ status: 'expired', resolvedAt: approval.expiresAt, result: null });
  });

  it('releases funded escrow back to credits when a co-signed end is confirmed', async () => {
    const api = await env.account({ cardOnFile: false, creditsCents: 60_000 });
    const { contractId, firstMilestoneId } = await hire(env, api);
    const end = await api.post(`/contracts/${contractId}/end`);
    expect(end.status).toBe(202);
    const confirmed = await env.control.confirmApproval(end.body.approval.id);
    expect(confirmed.result).toEqual({ contractEnded: true });
    const balance = await credits(api);
    expect(balance).toMatchObject({ availableCents: 60_000, reservedCents: 0 });
    expect(balance.recentEntries[0]).toMatchObject({
      type: 'HOLD_RELEASE',
      amountCents: 33_995,
      milestoneId: firstMilestoneId,
      holdEntryId: balance.recentEntries[1].id,
    });
  });
});
