import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EngagementOpenTrain } from '../../activities/deps';
import { createEngagementActivities } from '../../activities/engagement';
import { toActivityFailure } from '../../activities/errors';
import { webhookNotifier } from '../../activities/notifier';
import {
  OpenTrainApiError,
  OpenTrainResponseError,
  type ContractDetail,
  type Milestone,
} from '../../opentrain';

function apiError(
  status: number,
  code: string,
  reason?: string,
  extra: Partial<ConstructorParameters<typeof OpenTrainApiError>[0]> = {},
) {
  return new OpenTrainApiError({
    status,
    code,
    reason,
    message: `${code} ${reason ?? ''}`,
    method: 'POST',
    path: '/x',
    details: reason ? { reason, ...(extra.details ?? {}) } : extra.details,
    requestId: 'req_1',
    retryable: status === 0 || status === 429 || status >= 500,
    retryAfterMs: extra.retryAfterMs,
  });
}

function milestone(
  id: string,
  status: string,
  amountCents: number,
  extra: Partial<Milestone> = {},
): Milestone {
  return {
    id,
    name: null,
    description: `work ${id}`,
    status,
    amountCents,
    volume: null,
    milestoneNumber: 1,
    dueDate: null,
    pendingApproval: false,
    needsReview: false,
    invoiceId: null,
    createdAt: '2026-06-12T10:00:00.000Z',
    ...extra,
  } as Milestone;
}

function contract(milestones: Milestone[]): ContractDetail {
  return {
    id: 'c_1',
    status: 'active',
    title: 't',
    jobId: 'job_1',
    proposalId: 'p_1',
    paymentType: 'FIXED_PRICE',
    startDate: null,
    endDate: null,
    freelancer: { userId: 'u_1', displayName: 'Maria G.', profilePath: '/profile/maria-g', country: 'Spain' },
    milestones,
    jobDmConversationId: 'conv_1',
  } as unknown as ContractDetail;
}

/** MockActivityEnvironment.run, keeping the activity's own result type. */
function run<A extends unknown[], R>(
  env: MockActivityEnvironment,
  fn: (...args: A) => Promise<R>,
  ...args: A
): Promise<R> {
  return env.run(fn, ...args) as Promise<R>;
}

function fakeOpenTrain(
  overrides: Partial<Record<keyof EngagementOpenTrain, jest.Mock>>,
): EngagementOpenTrain {
  return overrides as unknown as EngagementOpenTrain;
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('OpenTrain errors as Temporal failures', () => {
  it('makes business 4xx non-retryable with the reason as type and the API details kept', () => {
    const failure = toActivityFailure(
      apiError(409, 'CONFLICT', 'payment_method_required', { details: { billingUrl: 'https://b' } }),
    ) as ApplicationFailure;
    expect(failure.type).toBe('payment_method_required');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.details?.[0]).toMatchObject({
      status: 409,
      requestId: 'req_1',
      details: { billingUrl: 'https://b' },
    });
  });

  it('retries 429 after Retry-After, and network errors and 5xx with backoff', () => {
    const limited = toActivityFailure(
      apiError(429, 'RATE_LIMITED', undefined, { retryAfterMs: 7000 }),
    ) as ApplicationFailure;
    expect(limited).toMatchObject({ type: 'RATE_LIMITED', nonRetryable: false, nextRetryDelay: 7000 });
    expect(toActivityFailure(apiError(0, 'NETWORK_ERROR'))).toMatchObject({
      type: 'NETWORK_ERROR',
      nonRetryable: false,
    });
    expect(toActivityFailure(apiError(500, 'INTERNAL_ERROR'))).toMatchObject({ nonRetryable: false });
  });

  it('does not retry a response that breaks the documented contract', () => {
    const failure = toActivityFailure(
      new OpenTrainResponseError('GET /x', 'approval.id', 'missing'),
    ) as ApplicationFailure;
    expect(failure).toMatchObject({ type: 'OpenTrainResponseError', nonRetryable: true });
  });
});

describe('engagement activities', () => {
  it('checks all preconditions at once and returns every failure with its remedy', async () => {
    const openTrain = fakeOpenTrain({
      getMe: jest.fn().mockResolvedValue({
        actor: { userId: 'u' },
        token: { id: 't', scopes: ['proposals:read', 'payments:read'] },
        account: { claimed: false, claimUrl: 'https://claim' },
      }),
      getCapabilities: jest
        .fn()
        .mockResolvedValue({ capabilities: { hiring: true, paymentsWrite: false }, enabled: true }),
      getCredits: jest
        .fn()
        .mockResolvedValue({ availableCents: 100_00, reservedCents: 0, currency: 'usd', recentEntries: [] }),
    });
    const report = await run(
      new MockActivityEnvironment(),
      createEngagementActivities({ openTrain }).checkPreconditions,
      { hireChargeCents: 339_95 },
    );
    expect(report.blockers).toEqual([
      expect.objectContaining({ kind: 'account_claim_required', url: 'https://claim' }),
      expect.objectContaining({
        kind: 'missing_scopes',
        message: expect.stringContaining('proposals:write, payments:write'),
      }),
      expect.objectContaining({
        kind: 'missing_features',
        message: expect.stringContaining('public_api_payments_write'),
      }),
    ]);
    // [GAP] a card may be on file: the shortfall is reported, not a blocker.
    expect(report.creditShortfallCents).toBe(239_95);
  });

  it('notes an unavailable capabilities probe instead of guessing a blocker', async () => {
    const openTrain = fakeOpenTrain({
      getMe: jest.fn().mockResolvedValue({
        actor: { userId: 'u' },
        token: { id: 't', scopes: ['proposals:write', 'payments:write', 'messages:write'] },
        account: { claimed: true },
      }),
      getCapabilities: jest.fn().mockRejectedValue(apiError(403, 'FORBIDDEN')),
      getCredits: jest.fn().mockResolvedValue({
        availableCents: 1_000_00,
        reservedCents: 0,
        currency: 'usd',
        recentEntries: [],
      }),
    });
    const report = await run(
      new MockActivityEnvironment(),
      createEngagementActivities({ openTrain }).checkPreconditions,
      { hireChargeCents: 339_95 },
    );
    expect(report.blockers).toEqual([]);
    expect(report.notes).toEqual([expect.stringContaining('capabilities probe unavailable')]);
    expect(report.creditShortfallCents).toBe(0);
  });

  it('says up front, as notes and never as blockers, each reason messaging the trainer will not work', async () => {
    const openTrain = fakeOpenTrain({
      getMe: jest.fn().mockResolvedValue({
        actor: { userId: 'u' },
        token: { id: 't', scopes: ['proposals:write', 'payments:write'] },
        account: { claimed: false, claimUrl: 'https://claim' },
      }),
      getCapabilities: jest.fn().mockResolvedValue({
        capabilities: { hiring: true, paymentsWrite: true, messagingWrites: false },
        enabled: true,
      }),
      getCredits: jest.fn().mockResolvedValue({
        availableCents: 1_000_00,
        reservedCents: 0,
        currency: 'usd',
        recentEntries: [],
      }),
    });
    const report = await run(
      new MockActivityEnvironment(),
      createEngagementActivities({ openTrain }).checkPreconditions,
      { hireChargeCents: 339_95 },
    );
    expect(report.blockers.map((b) => b.kind)).toEqual(['account_claim_required']);
    expect(report.notes).toEqual([
      expect.stringContaining('messages:write'),
      expect.stringContaining('public_api_messaging_writes'),
      expect.stringContaining('claims the agent account'),
    ]);
  });

  it('reconciles already_accepted by finding the contract of the proposal', async () => {
    const openTrain = fakeOpenTrain({
      hireProposal: jest.fn().mockRejectedValue(apiError(409, 'CONFLICT', 'already_accepted')),
      listContracts: jest
        .fn()
        .mockResolvedValue([{ ...contract([]), id: 'c_other', proposalId: 'p_other' }, contract([])]),
      getContract: jest.fn().mockResolvedValue(contract([milestone('m_1', 'ACTIVE_FUNDED', 300_00)])),
    });
    const result = await run(
      new MockActivityEnvironment(),
      createEngagementActivities({ openTrain }).requestHire,
      {
        proposalId: 'p_1',
        milestone: { amountCents: 300_00, description: 'first' },
        confirmNotFitOverride: false,
      },
    );
    expect(result).toMatchObject({
      kind: 'already_hired',
      contract: { id: 'c_1', trainer: { displayName: 'Maria G.' } },
    });
    expect(openTrain.getContract).toHaveBeenCalledWith('c_1', expect.anything());
  });

  it('surfaces payment_method_required as a non-retryable failure carrying the billingUrl', async () => {
    const openTrain = fakeOpenTrain({
      hireProposal: jest
        .fn()
        .mockRejectedValue(
          apiError(409, 'CONFLICT', 'payment_method_required', { details: { billingUrl: 'https://bill' } }),
        ),
    });
    const failure = await failureOf(
      run(new MockActivityEnvironment(), createEngagementActivities({ openTrain }).requestHire, {
        proposalId: 'p_1',
        milestone: { amountCents: 300_00 },
        confirmNotFitOverride: false,
      }),
    );
    expect(failure).toMatchObject({ type: 'payment_method_required', nonRetryable: true });
    expect(failure.details?.[0]).toMatchObject({ details: { billingUrl: 'https://bill' } });
  });

  it('adopts the milestone a committed-but-failed earlier attempt created instead of creating a second one', async () => {
    const existing = [
      milestone('m_1', 'ACTIVE_FUNDED', 300_00),
      milestone('m_2', 'NOT_FUNDED', 40_00, { description: 'Second' }),
    ];
    const openTrain = fakeOpenTrain({
      getContract: jest.fn().mockResolvedValue(contract(existing)),
      createMilestone: jest.fn(),
    });
    const input = {
      contractId: 'c_1',
      description: 'Second',
      amountCents: 40_00,
      knownMilestoneIds: ['m_1'],
    };
    const adopted = await run(
      new MockActivityEnvironment({ attempt: 2 }),
      createEngagementActivities({ openTrain }).createMilestone,
      input,
    );
    expect(adopted.id).toBe('m_2');
    expect(openTrain.createMilestone).not.toHaveBeenCalled();

    // A milestone the workflow already owns is never adopted: an identical new one is created.
    (openTrain.createMilestone as jest.Mock).mockResolvedValue(
      milestone('m_3', 'NOT_FUNDED', 40_00, { description: 'Second' }),
    );
    const created = await run(
      new MockActivityEnvironment({ attempt: 2 }),
      createEngagementActivities({ openTrain }).createMilestone,
      { ...input, knownMilestoneIds: ['m_1', 'm_2'] },
    );
    expect(created.id).toBe('m_3');
  });

  it('creates directly on the first attempt, without reading the contract', async () => {
    const openTrain = fakeOpenTrain({
      getContract: jest.fn(),
      createMilestone: jest.fn().mockResolvedValue(milestone('m_2', 'NOT_FUNDED', 40_00)),
    });
    await run(new MockActivityEnvironment(), createEngagementActivities({ openTrain }).createMilestone, {
      contractId: 'c_1',
      description: 'Second',
      amountCents: 40_00,
      knownMilestoneIds: ['m_1'],
    });
    expect(openTrain.getContract).not.toHaveBeenCalled();
    expect(openTrain.createMilestone).toHaveBeenCalledWith(
      'c_1',
      { description: 'Second', amountCents: 40_00, name: undefined, dueDate: undefined },
      expect.anything(),
    );
  });

  it('treats milestone_not_fundable on an already funded milestone as funded, and fails otherwise', async () => {
    const openTrain = fakeOpenTrain({
      fundMilestone: jest.fn().mockRejectedValue(apiError(409, 'CONFLICT', 'milestone_not_fundable')),
      getContract: jest.fn().mockResolvedValue(contract([milestone('m_2', 'ACTIVE_FUNDED', 40_00)])),
    });
    const activities = createEngagementActivities({ openTrain });
    const result = await run(new MockActivityEnvironment(), activities.requestFunding, {
      contractId: 'c_1',
      milestoneId: 'm_2',
    });
    expect(result).toMatchObject({
      kind: 'already_funded',
      milestone: { id: 'm_2', status: 'ACTIVE_FUNDED' },
    });

    (openTrain.getContract as jest.Mock).mockResolvedValue(contract([milestone('m_2', 'CANCELLED', 40_00)]));
    const failure = await failureOf(
      run(new MockActivityEnvironment(), activities.requestFunding, {
        contractId: 'c_1',
        milestoneId: 'm_2',
      }),
    );
    expect(failure.type).toBe('milestone_not_fundable');
  });

  it('reconciles contract_ended on end as ended', async () => {
    const openTrain = fakeOpenTrain({
      endContract: jest.fn().mockRejectedValue(apiError(409, 'CONFLICT', 'contract_ended')),
    });
    const result = await run(
      new MockActivityEnvironment(),
      createEngagementActivities({ openTrain }).requestContractEnd,
      {
        contractId: 'c_1',
      },
    );
    expect(result).toEqual({ kind: 'ended' });
  });

  it('tells the human through the webhook, with the approval link and the time left', async () => {
    const received: { body: unknown; contentType?: string }[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ body: JSON.parse(body), contentType: req.headers['content-type'] });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const activities = createEngagementActivities({
        openTrain: fakeOpenTrain({}),
        notifier: webhookNotifier(`http://127.0.0.1:${port}/hook`),
      });
      const notification = {
        engagementId: 'engagement-p_1',
        kind: 'approval_reminder',
        message: 'Reminder',
        approvalUrl: 'https://app.test/approvals/apr_1',
        timeLeft: '4h 0m',
      };
      await run(new MockActivityEnvironment(), activities.notifyHuman, notification);
      expect(received).toEqual([{ body: notification, contentType: 'application/json' }]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('fails (so the activity retries) when the notification webhook answers non-2xx', async () => {
    const server = createServer((_req, res) => res.writeHead(503).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await expect(
        webhookNotifier(`http://127.0.0.1:${port}`).notify({ engagementId: 'e', kind: 'k', message: 'm' }),
      ).rejects.toThrow('notification webhook answered 503');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
