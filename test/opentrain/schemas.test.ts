import {
  contractResponse,
  creditsResponse,
  pendingPaymentsResponse,
  updatesPageSchema,
} from '../../opentrain/schemas';

/** Documented examples of contracts, credits, payments and /updates (docs/opentrain-api.md#endpoints), parsed. */
describe('OpenTrain wire schemas', () => {
  const milestone = {
    id: 'm_1',
    name: 'First labeling batch',
    description: 'Label the first 5,000 posts per the guidelines',
    status: 'ACTIVE_FUNDED',
    amountUsd: 300.1,
    volume: null,
    milestoneNumber: 1,
    dueDate: '2026-07-01T00:00:00.000Z',
    pendingApproval: false,
    needsReview: false,
    invoiceId: 'inv_1',
    createdAt: '2026-06-12T09:30:00.000Z',
  };
  const contract = {
    id: 'c_1',
    status: 'active',
    title: 'Spanish Sentiment Labeling Contract',
    jobId: 'j_1',
    proposalId: 'p_1',
    paymentType: 'FIXED_PRICE',
    rateUsd: 0.065,
    estimatedTotalUsd: 300,
    estimatedVolume: null,
    hasActiveMilestone: true,
    startDate: '2026-06-12T09:30:00.000Z',
    endDate: null,
    createdAt: '2026-06-12T09:30:00.000Z',
    updatedAt: '2026-06-12T09:30:00.000Z',
    freelancer: { userId: 'u_9', displayName: 'Maria G.', country: 'Spain', profilePath: '/profile/maria-g' },
    milestones: [milestone, { ...milestone, id: 'm_2', status: 'PAID', milestoneNumber: 2, name: null }],
    jobDmConversationId: 'conv_1',
    budget: {
      contractId: 'c_1',
      paymentType: 'FIXED_PRICE',
      state: 'OK',
      fundedVolume: 0,
      fundedAmountUsd: 300,
      consumed: { seconds: 0, hours: 0, labels: 0, tasks: 0 },
      consumedVolume: 0,
      remainingVolume: 0,
      consumedFraction: 0,
      activeMilestone: {
        id: 'm_1',
        name: 'First labeling batch',
        amountUsd: 300,
        volume: null,
        status: 'ACTIVE_FUNDED',
      },
      lastUsageAt: null,
    },
  };

  it('turns every dollar amount of a contract into integer cents and keeps the unit rate in dollars', () => {
    const read = contractResponse.parse({ contract });
    expect(read.milestones.map((m) => m.amountCents)).toEqual([30_010, 30_010]);
    expect(read.milestones[0]).not.toHaveProperty('amountUsd');
    expect(read.estimatedTotalCents).toBe(30_000);
    expect(read.rateUsd).toBe(0.065);
    expect(read.budget?.fundedAmountCents).toBe(30_000);
    expect(read.budget?.activeMilestone?.amountCents).toBe(30_000);
    expect(read.jobDmConversationId).toBe('conv_1');
  });

  it('keeps undocumented milestone statuses as opaque strings', () => {
    const read = contractResponse.parse({ contract });
    expect(read.milestones.map((m) => m.status)).toEqual(['ACTIVE_FUNDED', 'PAID']);
  });

  it('reads an absent jobDmConversationId and a hire milestone without description as null and empty', () => {
    const { jobDmConversationId: _omitted, ...withoutThread } = contract;
    const read = contractResponse.parse({
      contract: { ...withoutThread, milestones: [{ ...milestone, description: null }] },
    });
    expect(read.jobDmConversationId).toBeNull();
    expect(read.milestones[0]?.description).toBe('');
  });

  it('rejects a milestone whose status is missing', () => {
    const { status: _missing, ...broken } = milestone;
    const result = contractResponse.safeParse({ contract: { ...contract, milestones: [broken] } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['contract', 'milestones', 0, 'status']);
  });

  it('reads credits in cents as documented, without conversion', () => {
    const read = creditsResponse.parse({
      credits: {
        availableCents: 5000,
        reservedCents: 2500,
        currency: 'usd',
        recentEntries: [
          {
            id: 'le_1',
            type: 'HOLD',
            amountCents: -2500,
            createdAt: '2026-06-12T10:00:00.000Z',
            holdEntryId: null,
            jobofferId: 'p_1',
            contractId: 'c_1',
            milestoneId: 'm_1',
            topUpId: null,
            note: null,
          },
        ],
      },
    });
    expect(read).toMatchObject({ availableCents: 5000, reservedCents: 2500, currency: 'usd' });
    expect(read.recentEntries[0]).toMatchObject({ type: 'HOLD', amountCents: -2500, jobofferId: 'p_1' });
  });

  it('reads pending payments with the amount in cents', () => {
    const [payment] = pendingPaymentsResponse.parse({
      payments: [
        {
          id: 'inv_1',
          status: 'PENDING_FUNDING',
          invoiceKind: 'FUNDING',
          viewerRole: 'EMPLOYER',
          amountUsd: 339.95,
          createdAt: '2026-06-12T10:05:00.000Z',
          invoiceNumber: 1042,
          job: { id: 'j_1', title: 'Spanish tweet sentiment labeling' },
          milestone: { id: 'm_1', name: 'First labeling batch' },
        },
      ],
    });
    expect(payment?.amountCents).toBe(33_995);
  });

  it('requires numeric event ids in the updates feed', () => {
    const event = {
      id: '1042',
      type: 'proposal.received',
      apiVersion: 'v1',
      createdAt: '2026-06-12T10:00:00.000Z',
      resourceId: 'p_1',
      jobId: 'j_1',
      data: { proposalId: 'p_1', jobId: 'j_1' },
    };
    expect(
      updatesPageSchema.parse({ events: [event], nextCursor: '1042', hasMore: false }).events[0]?.id,
    ).toBe('1042');
    const result = updatesPageSchema.safeParse({
      events: [{ ...event, id: 'evt_1' }],
      nextCursor: null,
      hasMore: false,
    });
    expect(result.error?.issues[0]?.path).toEqual(['events', 0, 'id']);
  });
});
