import type { EngagementState, MilestoneView } from '../../domain/engagement-view';
import type { AddMilestoneInput, RetryInput } from '../../domain/inputs';
import type { EngagementOperations } from '../../client/engagement-client';
import { EngagementNotFoundError, UpdateRejectedError } from '../../client/errors';

/** An in-memory stand-in for EngagementClient: one known engagement, one finished one, everything else unknown. */
export const KNOWN_ID = 'engagement-p_known';
export const ENDED_ID = 'engagement-p_ended';

export function sampleState(overrides: Partial<EngagementState> = {}): EngagementState {
  return {
    engagementId: KNOWN_ID,
    phase: 'active',
    proposalId: 'p_known',
    contractId: 'c_1',
    trainer: { displayName: 'Maria G.', profilePath: '/freelancers/maria' },
    blockers: [],
    pendingApprovals: [
      {
        approvalId: 'apr_fund_2',
        type: 'milestone_fund',
        milestoneId: 'm_2',
        approvalUrl: 'http://127.0.0.1:4010/approvals/apr_fund_2',
        expiresAt: '2026-01-04T10:00:00.000Z',
        attempt: 1,
      },
    ],
    parked: [],
    milestones: [
      { id: 'm_1', name: 'Setup', description: 'Set up', amountUsd: 120, status: 'PAID' },
      {
        id: 'm_2',
        name: null,
        description: 'Label 500 items',
        amountUsd: 80.5,
        status: 'NOT_FUNDED',
        fundApprovalId: 'apr_fund_2',
      },
    ],
    totals: { fundedUsd: 120, releasedUsd: 120, feesUsd: 21.95 },
    history: [],
    updatedAt: '2026-01-01T10:00:00.000Z',
    ...overrides,
  };
}

const milestone: MilestoneView = {
  id: 'm_3',
  name: null,
  description: 'More',
  amountUsd: 10,
  status: 'NOT_FUNDED',
};

export function fakeEngagements(): jest.Mocked<EngagementOperations> {
  const check = async (id: string) => {
    if (id === ENDED_ID) throw new UpdateRejectedError(id, 'op', 'the engagement has ended');
    if (id !== KNOWN_ID) throw new EngagementNotFoundError(id);
  };
  return {
    start: jest.fn(async (input) => ({ engagementId: `engagement-${input.proposalId}` })),
    addMilestone: jest.fn(async (id: string, _input: AddMilestoneInput) => (await check(id), milestone)),
    fundMilestone: jest.fn(async (id, milestoneId) => {
      await check(id);
      if (milestoneId === 'm_over_budget')
        throw new UpdateRejectedError(id, 'fundMilestone', 'would exceed the budget');
      if (milestoneId === 'm_bad')
        throw new UpdateRejectedError(id, 'fundMilestone', 'bad', 'InputValidationError');
      if (milestoneId === 'm_no_card')
        throw new UpdateRejectedError(id, 'fundMilestone', 'no payment method', 'payment_method_required', {
          billingUrl: 'http://127.0.0.1:4010/billing',
        });
      return { ...milestone, id: milestoneId, fundApprovalId: 'apr_fund_2' };
    }),
    releaseMilestone: jest.fn(
      async (id, milestoneId) => (await check(id), { ...milestone, id: milestoneId }),
    ),
    end: jest.fn(async (id) => (await check(id), sampleState({ phase: 'awaiting_end_approval' }))),
    retry: jest.fn(async (id: string, _input: RetryInput) => (await check(id), sampleState())),
    recheckPreconditions: jest.fn(async (id) => check(id)),
    sendMessage: jest.fn(async (id, input) => {
      await check(id);
      return { id: 'msg_1', sender: 'you' as const, at: '2026-01-01T10:05:00.000Z', content: input.content };
    }),
    listMessages: jest.fn(async (id, query) => {
      await check(id);
      return {
        engagementId: id,
        conversationId: 'cnv_1',
        messages: [
          { id: 'msg_2', sender: 'trainer' as const, at: '2026-01-01T10:06:00.000Z', content: 'On it' },
        ],
        nextCursor: query?.cursor ? null : 'msg_2',
      };
    }),
    confirmNotFit: jest.fn(async (id) => (await check(id), sampleState())),
    getState: jest.fn(async (id) => (await check(id), sampleState())),
    list: jest.fn(async () => [
      {
        engagementId: KNOWN_ID,
        phase: 'active' as const,
        status: 'RUNNING',
        startedAt: '2026-01-01T00:00:00.000Z',
      },
    ]),
    watch: jest.fn(),
    audit: jest.fn(async (id) => {
      await check(id);
      const totals = { fundedUsd: 0, releasedUsd: 0, feesUsd: 0 };
      return {
        engagementId: id,
        runs: ['run-1'],
        entries: [],
        totals: { ...totals, refundedUsd: 0, refundedFeesUsd: 0 },
        state: totals,
      };
    }),
  };
}
