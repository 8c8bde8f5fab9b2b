import type { OpenTrainClient } from '../../opentrain';
import { apiError, useSandboxHarness } from './support/sandbox';

/**
 * Every documented error the client can meet (docs/opentrain-api.md#errors, and per endpoint), produced by the
 * sandbox and read through the client: status, code, reason and the details that tell the caller what to do.
 */
describe('OpenTrainClient against the sandbox: documented errors', () => {
  const harness = useSandboxHarness();

  /** A hired contract: milestone 1 funded by the confirmed hire. */
  async function hiredContract(client: OpenTrainClient, token: string) {
    const { proposalId, jobId } = await harness.control.createProposal({ token });
    const hire = await client.hireProposal(proposalId, {
      milestone: { name: 'Batch 1', amountCents: 20_000 },
    });
    await harness.control.confirmApproval(hire.approval.id);
    const contractId = (await client.getApproval(hire.approval.id)).result?.contractId as string;
    const contract = await client.getContract(contractId);
    return { proposalId, jobId, contractId, firstMilestoneId: contract.milestones[0]!.id };
  }

  describe('authentication and the three gates', () => {
    it('answers 401 UNAUTHORIZED to an unknown token, not retryable', async () => {
      const error = await apiError(harness.clientFor('ot_pat_unknown_token').getMe());
      expect(error).toMatchObject({
        status: 401,
        code: 'UNAUTHORIZED',
        retryable: false,
        requestId: expect.any(String),
      });
    });

    it('answers 403 FORBIDDEN naming requiredScopes when proposals:write is missing', async () => {
      const { token, client } = await harness.account({ scopes: ['proposals:read', 'payments:read'] });
      const { proposalId } = await harness.control.createProposal({ token });
      const error = await apiError(
        client.hireProposal(proposalId, { milestone: { name: 'x', amountCents: 1_000 } }),
      );
      expect(error).toMatchObject({ status: 403, code: 'FORBIDDEN', retryable: false });
      expect(error.details?.requiredScopes).toEqual(expect.arrayContaining(['proposals:write']));
    });

    it('answers 403 account_claim_required with a claimUrl for an unclaimed account', async () => {
      const { token, client } = await harness.account({ claimed: false });
      const { proposalId } = await harness.control.createProposal({ token });
      const error = await apiError(
        client.hireProposal(proposalId, { milestone: { name: 'x', amountCents: 1_000 } }),
      );
      expect(error).toMatchObject({ status: 403, code: 'FORBIDDEN', reason: 'account_claim_required' });
      expect(error.details).toMatchObject({ claimUrl: expect.any(String), action: expect.any(String) });
    });

    it('answers 403 with the featureKey when a feature is off', async () => {
      const { token, client } = await harness.account({
        features: ['public_api_job_drafting', 'public_api_payments_write'],
      });
      const { proposalId } = await harness.control.createProposal({ token });
      const hire = await apiError(
        client.hireProposal(proposalId, { milestone: { name: 'x', amountCents: 1_000 } }),
      );
      expect(hire).toMatchObject({
        status: 403,
        code: 'FORBIDDEN',
        details: { featureKey: 'public_api_hiring' },
      });
      const credits = await apiError(client.getCredits());
      expect(credits).toMatchObject({ status: 403, details: { featureKey: 'public_api_credits' } });
      const webhooks = await apiError(client.listWebhooks());
      expect(webhooks).toMatchObject({ status: 403, details: { featureKey: 'public_api_webhooks' } });
    });

    it('answers 403 to the capabilities probe when job drafting is off', async () => {
      const { client } = await harness.account({ features: ['public_api_hiring'] });
      const error = await apiError(client.getCapabilities());
      expect(error).toMatchObject({ status: 403, details: { featureKey: 'public_api_job_drafting' } });
    });

    it('answers 403 requiredScopes on /updates for a token with none of the three read scopes', async () => {
      const { client } = await harness.account({ scopes: ['jobs:read', 'jobs:write'] });
      const error = await apiError(client.getUpdates());
      expect(error).toMatchObject({ status: 403, code: 'FORBIDDEN' });
      expect(error.details?.requiredScopes).toEqual(
        expect.arrayContaining(['proposals:read', 'messages:read', 'payments:read']),
      );
    });

    it('answers 403 on webhooks without webhooks:manage', async () => {
      const { client } = await harness.account({ scopes: ['payments:read'] });
      const error = await apiError(
        client.createWebhook({ url: 'https://example.com/h', eventTypes: ['approval.confirmed'] }),
      );
      expect(error).toMatchObject({ status: 403, code: 'FORBIDDEN' });
      expect(error.details?.requiredScopes).toEqual(expect.arrayContaining(['webhooks:manage']));
    });
  });

  describe('hire conflicts', () => {
    it('answers 409 payment_method_required with a billingUrl when no card and too few credits', async () => {
      const { token, client } = await harness.account({ cardOnFile: false, creditsCents: 1_000 });
      const { proposalId } = await harness.control.createProposal({ token });
      const error = await apiError(
        client.hireProposal(proposalId, { milestone: { name: 'x', amountCents: 30_000 } }),
      );
      expect(error).toMatchObject({
        status: 409,
        code: 'CONFLICT',
        reason: 'payment_method_required',
        retryable: false,
      });
      expect(error.details?.billingUrl).toEqual(expect.any(String));
    });

    it('answers 409 not_fit_confirmation_required for a "Not a fit" proposal until confirmNotFitOverride is sent', async () => {
      const { token, client } = await harness.account();
      const { proposalId } = await harness.control.createProposal({ token, notAFit: true });
      const body = { milestone: { name: 'x', amountCents: 10_000 } };
      const error = await apiError(client.hireProposal(proposalId, body));
      expect(error).toMatchObject({ status: 409, reason: 'not_fit_confirmation_required' });
      const hire = await client.hireProposal(proposalId, { ...body, confirmNotFitOverride: true });
      expect(hire.approval).toMatchObject({ type: 'proposal_hire', status: 'pending', proposalId });
    });

    it('answers 409 already_accepted once the proposal is hired', async () => {
      const { token, client } = await harness.account();
      const { proposalId } = await hiredContract(client, token);
      const error = await apiError(
        client.hireProposal(proposalId, { milestone: { name: 'x', amountCents: 10_000 } }),
      );
      expect(error).toMatchObject({ status: 409, reason: 'already_accepted' });
    });

    it('answers 404 to a hire of an unknown proposal', async () => {
      const { client } = await harness.account();
      const error = await apiError(
        client.hireProposal('prop_missing', { milestone: { name: 'x', amountCents: 1_000 } }),
      );
      expect(error).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    });

    it('answers 400 BAD_REQUEST naming the field for a hire without name or description', async () => {
      const { token, client } = await harness.account();
      const { proposalId } = await harness.control.createProposal({ token });
      const error = await apiError(client.hireProposal(proposalId, { milestone: { amountCents: 1_000 } }));
      expect(error).toMatchObject({ status: 400, code: 'BAD_REQUEST', retryable: false });
      expect(error.details?.field).toEqual(expect.any(String));
    });
  });

  describe('reads', () => {
    it('answers 404 with resource details for an unknown approval', async () => {
      const { client } = await harness.account();
      const error = await apiError(client.getApproval('appr_missing'));
      expect(error).toMatchObject({
        status: 404,
        code: 'NOT_FOUND',
        details: { resource: 'approvals', approvalId: 'appr_missing' },
      });
    });

    it("answers 404 for another account's approval", async () => {
      const owner = await harness.account();
      const { proposalId } = await harness.control.createProposal({ token: owner.token });
      const hire = await owner.client.hireProposal(proposalId, {
        milestone: { name: 'x', amountCents: 1_000 },
      });
      const stranger = await harness.account();
      expect(await apiError(stranger.client.getApproval(hire.approval.id))).toMatchObject({ status: 404 });
    });

    it('answers 404 for an unknown contract', async () => {
      const { client } = await harness.account();
      expect(await apiError(client.getContract('ctr_missing'))).toMatchObject({
        status: 404,
        code: 'NOT_FOUND',
      });
    });

    it('answers 400 with details.field "status" for a contract status filter other than active|ended', async () => {
      const { client } = await harness.account();
      const error = await apiError(client.listContracts({ status: 'paused' as 'active' }));
      expect(error).toMatchObject({ status: 400, code: 'BAD_REQUEST', details: { field: 'status' } });
    });

    it('answers 400 to an out-of-range /updates limit', async () => {
      const { client } = await harness.account();
      expect(await apiError(client.getUpdates({ limit: 500 }))).toMatchObject({
        status: 400,
        code: 'BAD_REQUEST',
      });
    });
  });

  describe('milestones and contracts', () => {
    it('answers 400 naming description or amountUsd when creating an incomplete milestone', async () => {
      const { token, client } = await harness.account();
      const { contractId } = await hiredContract(client, token);
      const noDescription = await apiError(
        client.createMilestone(contractId, { description: '', amountCents: 1_000 }),
      );
      expect(noDescription).toMatchObject({ status: 400, details: { field: 'description' } });
      const noAmount = await apiError(client.createMilestone(contractId, { description: 'Batch 2' }));
      expect(noAmount).toMatchObject({ status: 400, details: { field: 'amountUsd' } });
    });

    it('answers 409 milestone_not_fundable to funding a funded milestone and milestone_not_funded to releasing an unfunded one', async () => {
      const { token, client } = await harness.account();
      const { contractId, firstMilestoneId } = await hiredContract(client, token);
      expect(await apiError(client.fundMilestone(firstMilestoneId))).toMatchObject({
        status: 409,
        reason: 'milestone_not_fundable',
      });
      const second = await client.createMilestone(contractId, { description: 'Batch 2', amountCents: 5_000 });
      expect(await apiError(client.releaseMilestone(second.id))).toMatchObject({
        status: 409,
        reason: 'milestone_not_funded',
      });
    });

    it('answers 409 milestone_cancelled to funding a milestone the human cancelled', async () => {
      const { token, client } = await harness.account();
      const { contractId } = await hiredContract(client, token);
      const second = await client.createMilestone(contractId, { description: 'Batch 2', amountCents: 5_000 });
      await harness.control.cancelMilestone(second.id);
      expect(await apiError(client.fundMilestone(second.id))).toMatchObject({
        status: 409,
        code: 'CONFLICT',
        reason: 'milestone_cancelled',
        retryable: false,
      });
      const contract = await client.getContract(contractId);
      expect(contract.milestones.map((m) => m.id)).not.toContain(second.id);
    });

    it('answers 409 payment_method_required to funding once the card is gone and credits are short', async () => {
      const { token, client } = await harness.account({ creditsCents: 0 });
      const { contractId } = await hiredContract(client, token);
      const second = await client.createMilestone(contractId, { description: 'Batch 2', amountCents: 5_000 });
      await harness.control.updateAccount(token, { cardOnFile: false, creditsCents: 0 });
      const error = await apiError(client.fundMilestone(second.id));
      expect(error).toMatchObject({ status: 409, reason: 'payment_method_required' });
      expect(error.details?.billingUrl).toEqual(expect.any(String));
    });

    it('answers 409 contract_ended to every write on an ended contract', async () => {
      const { token, client } = await harness.account();
      const { contractId, firstMilestoneId } = await hiredContract(client, token);
      const unfunded = await client.createMilestone(contractId, {
        description: 'Batch 2',
        amountCents: 5_000,
      });
      const end = await client.endContract(contractId);
      if (end.kind !== 'approval') throw new Error('a funded contract needs a co-signed end');
      await harness.control.confirmApproval(end.approval.id);

      expect(await apiError(client.endContract(contractId))).toMatchObject({
        status: 409,
        reason: 'contract_ended',
      });
      expect(
        await apiError(client.createMilestone(contractId, { description: 'more', amountCents: 1_000 })),
      ).toMatchObject({
        status: 409,
        reason: 'contract_ended',
      });
      expect(await apiError(client.fundMilestone(unfunded.id))).toMatchObject({
        status: 409,
        reason: 'contract_ended',
      });
      expect(await apiError(client.releaseMilestone(firstMilestoneId))).toMatchObject({
        status: 409,
        reason: 'contract_ended',
      });
    });

    it('answers 403 account_claim_required to payment writes once the account is unclaimed', async () => {
      const { token, client } = await harness.account();
      const { contractId } = await hiredContract(client, token);
      await harness.control.updateAccount(token, { claimed: false });
      const error = await apiError(
        client.createMilestone(contractId, { description: 'Batch 2', amountCents: 1_000 }),
      );
      expect(error).toMatchObject({ status: 403, reason: 'account_claim_required' });
    });
  });

  describe('messages and webhooks', () => {
    it('answers 400 to an empty message', async () => {
      const { token, client } = await harness.account();
      const { contractId } = await hiredContract(client, token);
      const { jobDmConversationId } = await client.getContract(contractId);
      const error = await apiError(client.sendMessage({ conversationId: jobDmConversationId!, content: '' }));
      expect(error).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    });

    it('answers 400 to a plain-http webhook URL outside localhost and 404 to an unknown webhook', async () => {
      const { client } = await harness.account();
      const insecure = await apiError(
        client.createWebhook({ url: 'http://example.com/hooks', eventTypes: ['approval.confirmed'] }),
      );
      expect(insecure).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
      expect(await apiError(client.deleteWebhook('wh_missing'))).toMatchObject({
        status: 404,
        details: { resource: 'webhooks', webhookId: 'wh_missing' },
      });
    });
  });

  describe('transient failures', () => {
    afterEach(() => harness.control.setFaults({}));

    it('surfaces a 429 RATE_LIMITED as retryable with the Retry-After delay', async () => {
      const { client } = await harness.account();
      await harness.control.setFaults({ rateLimitRate: 1, retryAfterSec: 3 });
      const error = await apiError(client.getMe());
      expect(error).toMatchObject({
        status: 429,
        code: 'RATE_LIMITED',
        retryable: true,
        retryAfterMs: 3_000,
      });
    });

    it('surfaces an injected 500 as retryable, and a write that committed before the 500 as retryable too', async () => {
      const { token, client } = await harness.account();
      await harness.control.setFaults({ errorRate: 1 });
      expect(await apiError(client.getMe())).toMatchObject({ status: 500, retryable: true });

      const { proposalId } = await harness.control.createProposal({ token });
      await harness.control.setFaults({ failAfterCommitRate: 1 });
      const body = { milestone: { name: 'x', amountCents: 1_000 } };
      expect(await apiError(client.hireProposal(proposalId, body))).toMatchObject({
        status: 500,
        retryable: true,
      });
      await harness.control.setFaults({});
      // The write went through: repeating it yields the approval it created, not a second one.
      const repeat = await client.hireProposal(proposalId, body);
      expect(await harness.control.listApprovals({ status: 'pending' })).toEqual(
        expect.arrayContaining([expect.objectContaining({ id: repeat.approval.id })]),
      );
      const pendingForProposal = (await harness.control.listApprovals({ status: 'pending' })).filter(
        (a) => a.proposalId === proposalId,
      );
      expect(pendingForProposal).toHaveLength(1);
    });

    it('times out against injected latency with a retryable TIMEOUT', async () => {
      const { token } = await harness.account();
      const impatient = harness.clientFor(token, 100);
      await harness.control.setFaults({ latencyMs: 500 });
      expect(await apiError(impatient.getMe())).toMatchObject({
        status: 0,
        code: 'TIMEOUT',
        retryable: true,
      });
    });
  });
});
