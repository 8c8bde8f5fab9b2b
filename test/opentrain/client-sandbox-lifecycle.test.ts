import { hireChargeCents } from '../../domain/money';
import { verifyWebhookSignature, type PlatformEvent } from '../../opentrain';
import { apiError, useSandboxHarness } from './support/sandbox';
import { startStubServer, type StubServer } from './support/stub-server';

const HOUR_MS = 60 * 60 * 1000;

/**
 * Every client method against the running sandbox, in the order an engagement uses them: hire, confirm, add and
 * fund a milestone, release, message, read the feed and webhooks, end.
 */
describe('OpenTrainClient against the sandbox: one engagement end to end', () => {
  const harness = useSandboxHarness();
  let receiver: StubServer;

  beforeAll(async () => {
    receiver = await startStubServer();
    receiver.respond((_req, res) => res.writeHead(204).end());
  });
  afterAll(() => receiver.close());

  it('reads who it is, what is enabled and the credit balance', async () => {
    const { client } = await harness.account({ creditsCents: 12_345 });
    const me = await client.getMe();
    expect(me.token.scopes).toEqual(
      expect.arrayContaining(['proposals:write', 'payments:write', 'webhooks:manage']),
    );
    expect(me.account.claimed).toBe(true);
    expect(me.actor.userId).toEqual(expect.any(String));

    const capabilities = await client.getCapabilities();
    expect(capabilities.enabled).toBe(true);
    expect(capabilities.capabilities).toMatchObject({ hiring: true, paymentsWrite: true, webhooks: true });

    const credits = await client.getCredits();
    expect(credits).toMatchObject({ availableCents: 12_345, reservedCents: 0, currency: 'usd' });
  });

  it('reports an unclaimed account and the missing scopes and features as they are', async () => {
    const { client } = await harness.account({
      claimed: false,
      scopes: ['jobs:read', 'proposals:read', 'payments:read'],
      features: ['public_api_job_drafting'],
    });
    const me = await client.getMe();
    expect(me.account.claimed).toBe(false);
    expect(me.account.claimUrl).toEqual(expect.any(String));
    expect(me.token.scopes).toEqual(['jobs:read', 'proposals:read', 'payments:read']);
    const { capabilities } = await client.getCapabilities();
    expect(capabilities).toMatchObject({ hiring: false, paymentsWrite: false, credits: false });
  });

  it('runs hire → fund → release → message → end with amounts in cents and the human confirming', async () => {
    const { token, client } = await harness.account({ creditsCents: 1_000_000 });
    const { proposalId, jobId } = await harness.control.createProposal({ token });

    // Hire: 202 with a pending proposal_hire approval that expires 72 h after it was created.
    const hire = await client.hireProposal(proposalId, {
      milestone: {
        name: 'First batch',
        description: 'Label 5,000 posts',
        amountCents: 30_000,
        dueDate: '2026-07-01',
      },
    });
    expect(hire.message).toEqual(expect.any(String));
    expect(hire.approval).toMatchObject({
      type: 'proposal_hire',
      status: 'pending',
      proposalId,
      jobId,
      contractId: null,
      milestoneId: null,
      resolvedAt: null,
      result: null,
    });
    expect(Date.parse(hire.approval.expiresAt) - Date.parse(hire.approval.createdAt)).toBe(72 * HOUR_MS);
    expect(hire.approval.approvalUrl).toBe(`${harness.sandbox.url}/approvals/${hire.approval.id}`);

    // Same terms while pending: the same approval.
    const again = await client.hireProposal(proposalId, {
      milestone: {
        name: 'First batch',
        description: 'Label 5,000 posts',
        amountCents: 30_000,
        dueDate: '2026-07-01',
      },
    });
    expect(again.approval.id).toBe(hire.approval.id);
    expect((await client.getApproval(hire.approval.id)).status).toBe('pending');

    // The human raises the amount to $450 before confirming: their terms win.
    await harness.control.confirmApproval(hire.approval.id, { milestone: { amount: 450 } });
    const hired = await client.getApproval(hire.approval.id);
    expect(hired.status).toBe('confirmed');
    expect(hired.resolvedAt).toEqual(expect.any(String));
    expect(hired.result).toMatchObject({ hired: true, jobId, contractId: expect.any(String) });
    const contractId = hired.result?.contractId as string;

    const [listed, ...others] = await client.listContracts({ jobId });
    expect(others).toHaveLength(0);
    expect(listed).toMatchObject({ id: contractId, status: 'active', jobId, proposalId });
    expect(listed?.milestones).toEqual([
      expect.objectContaining({
        milestoneNumber: 1,
        status: 'ACTIVE_FUNDED',
        amountCents: 45_000,
        name: 'First batch',
      }),
    ]);
    expect(await client.listContracts({ jobId, status: 'ended' })).toEqual([]);

    const contract = await client.getContract(contractId);
    expect(contract.jobDmConversationId).toEqual(expect.any(String));
    expect(contract.freelancer.displayName).toMatch(/^\S+ \S\.$/);
    const firstMilestone = contract.milestones[0]!;
    expect(firstMilestone.invoiceId).toEqual(expect.any(String));

    // The hire was paid from credits: milestone + 10% + $9.95 moved from available to reserved.
    const credits = await client.getCredits();
    expect(credits.reservedCents).toBe(hireChargeCents(45_000));
    expect(credits.availableCents).toBe(1_000_000 - hireChargeCents(45_000));
    expect(credits.recentEntries).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'HOLD', contractId, jobofferId: proposalId })]),
    );

    // Milestone 2: created unfunded, then funding is requested (idempotently) and confirmed.
    const second = await client.createMilestone(contractId, {
      name: 'Second batch',
      description: 'Label the next 5,000 posts',
      amountCents: 12_345,
      dueDate: '2026-07-15',
    });
    expect(second).toMatchObject({
      status: 'NOT_FUNDED',
      amountCents: 12_345,
      milestoneNumber: 2,
      dueDate: '2026-07-15T00:00:00.000Z',
      invoiceId: null,
      pendingApproval: false,
    });
    const fund = await client.fundMilestone(second.id);
    expect(fund.approval).toMatchObject({
      type: 'milestone_fund',
      status: 'pending',
      contractId,
      milestoneId: second.id,
    });
    expect((await client.fundMilestone(second.id)).approval.id).toBe(fund.approval.id);
    const pending = await client.listPendingPayments();
    expect(pending).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          amountCents: 12_345,
          milestone: expect.objectContaining({ id: second.id }),
        }),
      ]),
    );
    await harness.control.confirmApproval(fund.approval.id);
    expect((await client.getApproval(fund.approval.id)).result).toMatchObject({
      invoiceId: expect.any(String),
    });
    const funded = (await client.getContract(contractId)).milestones.find((m) => m.id === second.id);
    expect(funded).toMatchObject({ status: 'ACTIVE_FUNDED', invoiceId: expect.any(String) });

    // Release milestone 1.
    const release = await client.releaseMilestone(firstMilestone.id);
    expect(release.approval).toMatchObject({
      type: 'milestone_approve',
      status: 'pending',
      milestoneId: firstMilestone.id,
    });
    await harness.control.confirmApproval(release.approval.id);
    expect((await client.getApproval(release.approval.id)).result).toMatchObject({
      invoiceId: expect.any(String),
      payoutTransactionId: expect.any(String),
    });
    const released = (await client.getContract(contractId)).milestones.find(
      (m) => m.id === firstMilestone.id,
    );
    expect(released?.status).not.toBe('ACTIVE_FUNDED');

    // Message the trainer on the post-hire thread.
    const message = await client.sendMessage({
      conversationId: contract.jobDmConversationId!,
      content: 'Welcome aboard — batch 2 is funded.',
    });
    expect(message).toMatchObject({
      conversationId: contract.jobDmConversationId,
      content: 'Welcome aboard — batch 2 is funded.',
    });

    // End: milestone 2 is still funded, so ending needs the human (202, idempotent while pending).
    const end = await client.endContract(contractId);
    if (end.kind !== 'approval')
      throw new Error(`expected a contract_end approval, got ${JSON.stringify(end)}`);
    expect(end.approval).toMatchObject({
      type: 'contract_end',
      status: 'pending',
      contractId,
      milestoneId: null,
    });
    const endAgain = await client.endContract(contractId);
    expect(endAgain.kind === 'approval' && endAgain.approval.id).toBe(end.approval.id);
    await harness.control.confirmApproval(end.approval.id);
    expect((await client.getApproval(end.approval.id)).result).toEqual({ contractEnded: true });
    const ended = await client.getContract(contractId);
    expect(ended.status).toBe('ended');
    expect(ended.endDate).toEqual(expect.any(String));
    expect((await client.listContracts({ jobId, status: 'ended' })).map((c) => c.id)).toEqual([contractId]);

    // What OpenTrain received: one request per call, no retries.
    const hires = (await harness.control.requests()).filter(
      (r) => r.path === `/api/public/v1/proposals/${proposalId}/hire`,
    );
    expect(hires.map((r) => [r.method, r.status])).toEqual([
      ['POST', 202],
      ['POST', 202],
    ]);
  });

  it('ends a contract at once (200) when nothing is funded', async () => {
    const { token, client } = await harness.account();
    const { proposalId } = await harness.control.createProposal({ token });
    const hire = await client.hireProposal(proposalId, {
      milestone: { description: 'Pilot', amountCents: 5_000 },
    });
    await harness.control.confirmApproval(hire.approval.id);
    const contractId = (await client.getApproval(hire.approval.id)).result?.contractId as string;
    const [milestone] = (await client.getContract(contractId)).milestones;
    const release = await client.releaseMilestone(milestone!.id);
    await harness.control.confirmApproval(release.approval.id);

    await expect(client.endContract(contractId)).resolves.toEqual({
      kind: 'ended',
      contractId,
      status: 'ended',
    });
    expect((await client.getContract(contractId)).status).toBe('ended');
  });

  it('reads an approval as expired once 72 h have passed without the human (lazy expiry)', async () => {
    const { token, client } = await harness.account();
    const { proposalId } = await harness.control.createProposal({ token });
    const hire = await client.hireProposal(proposalId, { milestone: { name: 'Batch', amountCents: 10_000 } });
    await harness.control.advanceClock(72 * HOUR_MS + 1_000);
    const read = await client.getApproval(hire.approval.id);
    expect(read.status).toBe('expired');
    expect(read.result).toBeNull();
  });

  it('pages through /updates oldest first with the numeric cursor', async () => {
    const { token, client } = await harness.account();
    const { proposalId } = await harness.control.createProposal({ token });
    const hire = await client.hireProposal(proposalId, { milestone: { name: 'Batch', amountCents: 10_000 } });
    await harness.control.confirmApproval(hire.approval.id);

    const all = await client.getUpdates({ limit: 200 });
    expect(all.hasMore).toBe(false);
    const types = all.events.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['approval.confirmed', 'contract.created', 'milestone.status_changed']),
    );
    const confirmed = all.events.find((e) => e.type === 'approval.confirmed');
    expect(confirmed).toMatchObject({
      apiVersion: 'v1',
      resourceId: hire.approval.id,
      data: { approvalId: hire.approval.id },
    });

    const paged: PlatformEvent[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 50; page += 1) {
      const next = await client.getUpdates({ cursor, limit: 2 });
      expect(next.events.length).toBeLessThanOrEqual(2);
      paged.push(...next.events);
      cursor = next.nextCursor ?? undefined;
      if (!next.hasMore) break;
    }
    expect(paged.map((e) => e.id)).toEqual(all.events.map((e) => e.id));
    const ids = paged.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(cursor).toBe(all.nextCursor);

    // An empty page echoes the cursor.
    await expect(client.getUpdates({ cursor })).resolves.toEqual({
      events: [],
      nextCursor: cursor,
      hasMore: false,
    });
  });

  it('creates, lists, reads and deletes a webhook whose deliveries verify with its secret', async () => {
    const { token, client } = await harness.account();
    const url = `${new URL(receiver.baseUrl).origin}/hooks/opentrain`;
    const created = await client.createWebhook({
      url,
      eventTypes: ['approval.confirmed', 'contract.created'],
    });
    expect(created.secret).toMatch(/^whsec_/);
    expect(created.webhook).toMatchObject({ url, status: 'ACTIVE', disabledAt: null, disabledReason: null });
    expect(created.webhook.eventTypes.sort()).toEqual(['approval.confirmed', 'contract.created']);
    expect((await client.listWebhooks()).map((w) => w.id)).toEqual([created.webhook.id]);
    expect(await client.getWebhook(created.webhook.id)).toEqual(created.webhook);

    const { proposalId } = await harness.control.createProposal({ token });
    const hire = await client.hireProposal(proposalId, { milestone: { name: 'Batch', amountCents: 10_000 } });
    await harness.control.declineApproval(hire.approval.id);
    const delivery = await waitFor(() => receiver.received.find((r) => r.url === '/hooks/opentrain'));
    expect(delivery.headers['x-opentrain-event']).toBe('approval.confirmed');
    const verdict = verifyWebhookSignature({
      rawBody: delivery.body,
      header: delivery.headers['x-opentrain-signature'] as string,
      secret: created.secret,
    });
    expect(verdict.ok).toBe(true);
    expect(JSON.parse(delivery.body)).toMatchObject({
      type: 'approval.confirmed',
      data: { status: 'declined' },
    });
    expect(
      verifyWebhookSignature({
        rawBody: delivery.body,
        header: delivery.headers['x-opentrain-signature'] as string,
        secret: 'whsec_wrong',
      }),
    ).toEqual({ ok: false, reason: 'mismatch' });

    expect(await client.deleteWebhook(created.webhook.id)).toEqual(created.webhook);
    expect(await client.listWebhooks()).toEqual([]);
    const gone = await apiError(client.getWebhook(created.webhook.id));
    expect(gone).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      details: { resource: 'webhooks', webhookId: created.webhook.id },
    });
  });
});

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
