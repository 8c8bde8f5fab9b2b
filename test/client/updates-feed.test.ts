import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { createFeedDeliveryActivities } from '../../activities/feed-delivery';
import type { FeedEvent, FeedPage, UpdatesFeedActivities } from '../../activities/updates-feed';
import { engagementWorkflowId } from '../../domain/ids';
import {
  approvalAwaitedSignal,
  knownRouteQuery,
  updatesDoorbellSignal,
  updatesFeedStatusQuery,
} from '../../workflows/updates-feed-messages';
import { bundleWorkflows, createDevServerEnv } from '../support/temporal';
import { recordHistory } from '../workflows/support/dev-stack';
import { receivedQuery } from './fixtures/feed-workflows';

/**
 * The updates feed's routing, with OpenTrain faked at the activity boundary: which engagement each event reaches,
 * what it does with events that are not ours, and what survives continue-as-new.
 */

jest.setTimeout(60_000);
let env: TestWorkflowEnvironment;
let taskQueue = 'feed-test';
let n = 0;

beforeAll(async () => {
  env = await createDevServerEnv();
});
afterAll(() => env?.teardown());

/** A fake `/updates` ledger and approval/contract store behind the three feed activities. */
function fakeOpenTrain(events: FeedEvent[]) {
  const calls: string[] = [];
  const approvals: Record<string, { proposalId: string | null; contractId: string | null; status: string }> =
    {};
  const contracts: Record<string, string> = {};
  const conversations: Record<string, string> = {};
  const activities: UpdatesFeedActivities = {
    async feedFetchUpdates({ cursor, limit }): Promise<FeedPage> {
      calls.push(`updates ${cursor ?? '-'}`);
      const after = events.filter((e) => Number(e.id) > Number(cursor ?? 0));
      const page = after.slice(0, limit);
      return { events: page, nextCursor: page.at(-1)?.id ?? cursor, hasMore: after.length > limit };
    },
    async feedReadApprovalRoute({ approvalId }) {
      calls.push(`approval ${approvalId}`);
      if (approvalId === 'apr_forbidden') throw ApplicationFailure.nonRetryable('no scope', 'FORBIDDEN');
      return approvals[approvalId] ?? null;
    },
    async feedReadContractProposal({ contractId }) {
      calls.push(`contract ${contractId}`);
      return contractId in contracts ? { proposalId: contracts[contractId] ?? null } : null;
    },
    async feedReadConversationProposal({ conversationId }) {
      calls.push(`conversation ${conversationId}`);
      const proposalId = conversations[conversationId];
      return proposalId ? { proposalId } : null;
    },
  };
  return { activities, calls, approvals, contracts, conversations };
}

async function withFeed(
  fake: ReturnType<typeof fakeOpenTrain>,
  targets: string[],
  body: (feedId: string) => Promise<void>,
  input: Record<string, unknown> = {},
) {
  taskQueue = `feed-test-${++n}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await bundleWorkflows(require.resolve('./fixtures/feed-workflows')),
    activities: { ...fake.activities, ...createFeedDeliveryActivities({ temporal: env.client }) },
  });
  await worker.runUntil(async () => {
    for (const proposalId of targets) {
      await env.client.workflow.start('recordingEngagement', {
        workflowId: engagementWorkflowId(proposalId),
        taskQueue,
      });
    }
    const feedId = `feed-${n}`;
    await env.client.workflow.start('updatesFeedWorkflow', {
      workflowId: feedId,
      taskQueue,
      args: [{ pollIntervalMs: 60_000, ...input }],
    });
    await body(feedId);
  });
}

async function received(proposalId: string, count: number): Promise<unknown[]> {
  const handle = env.client.workflow.getHandle(engagementWorkflowId(proposalId));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const got = await handle.query(receivedQuery);
    if (got.length >= count || Date.now() > deadline) return got;
    await sleep(100);
  }
}

const approvalEvent = (id: string, approvalId: string, status = 'confirmed'): FeedEvent => ({
  id,
  type: 'approval.confirmed',
  resourceId: approvalId,
  approvalId,
  status,
});

it('routes a hire approval by its proposal, later approvals and milestone events by their contract', async () => {
  const fake = fakeOpenTrain([
    approvalEvent('1', 'apr_hire'),
    { id: '2', type: 'contract.created', resourceId: 'ctr_1', contractId: 'ctr_1', proposalId: 'p_a' },
    approvalEvent('3', 'apr_fund', 'declined'),
    {
      id: '4',
      type: 'milestone.status_changed',
      resourceId: 'mil_1',
      contractId: 'ctr_9',
      milestoneId: 'mil_1',
    },
    { id: '5', type: 'proposal.received', resourceId: 'p_other' },
  ]);
  fake.approvals.apr_hire = { proposalId: 'p_a', contractId: null, status: 'confirmed' };
  fake.approvals.apr_fund = { proposalId: null, contractId: 'ctr_1', status: 'declined' };
  fake.contracts.ctr_9 = 'p_b';

  await withFeed(fake, ['p_a', 'p_b'], async () => {
    expect(await received('p_a', 3)).toEqual([
      { signal: 'approvalResolved', approvalId: 'apr_hire', status: 'confirmed' },
      {
        signal: 'openTrainEvent',
        eventId: '2',
        type: 'contract.created',
        resourceId: 'ctr_1',
        contractId: 'ctr_1',
      },
      { signal: 'approvalResolved', approvalId: 'apr_fund', status: 'declined' },
    ]);
    expect(await received('p_b', 1)).toEqual([
      {
        signal: 'openTrainEvent',
        eventId: '4',
        type: 'milestone.status_changed',
        resourceId: 'mil_1',
        contractId: 'ctr_9',
        milestoneId: 'mil_1',
      },
    ]);
  });
  // ctr_1 was learnt from contract.created, so only the unknown contract was read.
  expect(fake.calls.filter((c) => c.startsWith('contract'))).toEqual(['contract ctr_9']);
});

it('routes message.received to the engagement whose contract thread it is, reading each thread once', async () => {
  const message = (id: string, conversationId: string): FeedEvent => ({
    id,
    type: 'message.received',
    resourceId: `msg_${id}`,
    conversationId,
    jobId: 'job_1',
  });
  const fake = fakeOpenTrain([message('1', 'cnv_a'), message('2', 'cnv_prehire'), message('3', 'cnv_a')]);
  fake.conversations.cnv_a = 'p_m';

  await withFeed(fake, ['p_m'], async (feedId) => {
    expect(await received('p_m', 2)).toEqual([
      { signal: 'messageReceived', conversationId: 'cnv_a', messageId: 'msg_1', eventId: '1' },
      { signal: 'messageReceived', conversationId: 'cnv_a', messageId: 'msg_3', eventId: '3' },
    ]);
    const status = await env.client.workflow.getHandle(feedId).query(updatesFeedStatusQuery);
    expect(status.cursor).toBe('3');
  });
  // The thread was read once and remembered; the pre-hire chat is no engagement's and was passed over.
  expect(fake.calls.filter((c) => c.startsWith('conversation'))).toEqual([
    'conversation cnv_a',
    'conversation cnv_prehire',
  ]);
});

it('passes over events that are not ours and keeps going', async () => {
  const fake = fakeOpenTrain([
    approvalEvent('1', 'apr_unknown'),
    approvalEvent('2', 'apr_no_workflow'),
    approvalEvent('3', 'apr_forbidden'),
    approvalEvent('4', 'apr_ours', 'expired'),
  ]);
  fake.approvals.apr_no_workflow = { proposalId: 'p_not_running', contractId: null, status: 'confirmed' };
  fake.approvals.apr_ours = { proposalId: 'p_c', contractId: null, status: 'expired' };

  await withFeed(fake, ['p_c'], async (feedId) => {
    expect(await received('p_c', 1)).toEqual([
      { signal: 'approvalResolved', approvalId: 'apr_ours', status: 'expired' },
    ]);
    const status = await env.client.workflow.getHandle(feedId).query(updatesFeedStatusQuery);
    expect(status.cursor).toBe('4');
    expect(status.eventsRouted).toBe(1);
  });
});

it('polls when the doorbell rings and resumes from its cursor after continue-as-new', async () => {
  const events = [approvalEvent('1', 'apr_1')];
  const fake = fakeOpenTrain(events);
  fake.approvals.apr_1 = { proposalId: 'p_d', contractId: null, status: 'confirmed' };
  fake.approvals.apr_2 = { proposalId: 'p_d', contractId: null, status: 'confirmed' };

  await withFeed(
    fake,
    ['p_d'],
    async (feedId) => {
      const feed = env.client.workflow.getHandle(feedId);
      expect(await received('p_d', 1)).toHaveLength(1);
      const firstRun = (await feed.describe()).runId;
      events.push(approvalEvent('2', 'apr_2'));
      await feed.signal(updatesDoorbellSignal, { deliveryId: 'd1' });
      expect(await received('p_d', 2)).toHaveLength(2);
      // The tiny history limit forced continue-as-new; the new run starts from cursor 2, not from the beginning.
      expect((await feed.describe()).runId).not.toBe(firstRun);
      const status = await feed.query(updatesFeedStatusQuery);
      expect(status.cursor).toBe('2');
      expect(fake.calls.filter((c) => c === 'updates -')).toHaveLength(1);
    },
    { continueAsNewAfterEvents: 10 },
  );
});

const hint = (approvalId: string, proposalId: string, requestedAt = new Date().toISOString()) => ({
  approvalId,
  engagementId: engagementWorkflowId(proposalId),
  requestedAt,
});

it('routes an approval its engagement said it awaits without reading it, the hint kept across continue-as-new', async () => {
  const events: FeedEvent[] = [];
  const fake = fakeOpenTrain(events);
  await withFeed(
    fake,
    ['p_h'],
    async (feedId) => {
      const feed = env.client.workflow.getHandle(feedId);
      const firstRun = (await feed.describe()).runId;
      await feed.signal(approvalAwaitedSignal, hint('apr_h', 'p_h'));
      // An empty poll passes the tiny history bound: the next run must carry the hint.
      await feed.signal(updatesDoorbellSignal, {});
      await waitFor(async () => (await feed.describe()).runId !== firstRun);
      expect((await feed.query(updatesFeedStatusQuery)).awaitingApprovals).toBe(1);

      events.push(approvalEvent('1', 'apr_h', 'confirmed'));
      await feed.signal(updatesDoorbellSignal, {});
      expect(await received('p_h', 1)).toEqual([
        { signal: 'approvalResolved', approvalId: 'apr_h', status: 'confirmed' },
      ]);
      expect((await feed.query(updatesFeedStatusQuery)).awaitingApprovals).toBe(0);
    },
    { continueAsNewAfterEvents: 10 },
  );
  expect(fake.calls.filter((c) => c.startsWith('approval'))).toEqual([]);
});

it('polls fast while a young approval is awaited, and at its interval otherwise', async () => {
  await withPollingFeed(
    async (feed, polls) => {
      // An approval requested two hours ago: its human is not at the screen, the interval stays long.
      await feed.signal(
        approvalAwaitedSignal,
        hint('apr_old', 'p_x', new Date(Date.now() - 7_200_000).toISOString()),
      );
      await sleep(1_500);
      expect(polls()).toBeLessThanOrEqual(2);

      const before = polls();
      await feed.signal(approvalAwaitedSignal, hint('apr_young', 'p_x'));
      // At a 60 s interval none would follow; the server fires short timers at about 1 s granularity.
      await sleep(3_500);
      expect(polls() - before).toBeGreaterThanOrEqual(3);
    },
    { fastPollIntervalMs: 250 },
  );
});

it('starts the fast rhythm one fast interval after a hint, not with a poll at once', async () => {
  await withPollingFeed(
    async (feed, polls) => {
      await feed.signal(approvalAwaitedSignal, hint('apr_young', 'p_x'));
      // The approval was requested a moment ago: a poll now would find nothing (before the fix one came at once).
      await sleep(1_500);
      expect(polls()).toBe(1);
      await waitFor(async () => polls() >= 3);
    },
    { fastPollIntervalMs: 3_000 },
  );
});

it('skips the fast rhythm while webhooks ring, and takes it up once they have been silent', async () => {
  await withPollingFeed(
    async (feed, polls) => {
      await feed.signal(updatesDoorbellSignal, {});
      await waitFor(async () => polls() >= 2);

      // A webhook rang just now: the next one brings the human's click, so a young approval adds no polls.
      await feed.signal(approvalAwaitedSignal, hint('apr_young', 'p_x'));
      await sleep(2_500);
      expect(polls()).toBe(2);

      // Silent past the window: the feed cannot count on webhooks any more and polls fast again.
      await sleep(1_000);
      await feed.signal(approvalAwaitedSignal, hint('apr_younger', 'p_x'));
      await sleep(3_500);
      expect(polls()).toBeGreaterThanOrEqual(5);
    },
    { fastPollIntervalMs: 250, webhookSilenceMs: 3_000 },
  );
});

/** A feed with an empty ledger, after its first poll; `polls` counts its reads of `/updates`. */
async function withPollingFeed(
  body: (feed: WorkflowHandle, polls: () => number) => Promise<void>,
  input: Record<string, unknown>,
): Promise<void> {
  const fake = fakeOpenTrain([]);
  const polls = () => fake.calls.filter((c) => c.startsWith('updates')).length;
  await withFeed(
    fake,
    [],
    async (feedId) => {
      await waitFor(async () => polls() >= 1);
      await body(env.client.workflow.getHandle(feedId), polls);
    },
    input,
  );
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(100);
  }
}

it('names the engagement of an event it can route without a read, and skips once what the webhook routed ahead', async () => {
  const milestoneEvent = (id: string, contractId: string): FeedEvent => ({
    id,
    type: 'milestone.status_changed',
    resourceId: 'mil_1',
    contractId,
    milestoneId: 'mil_1',
    status: 'ACTIVE_FUNDED',
  });
  const events: FeedEvent[] = [
    { id: '1', type: 'contract.created', resourceId: 'ctr_r', contractId: 'ctr_r', proposalId: 'p_r' },
  ];
  const fake = fakeOpenTrain(events);
  await withFeed(fake, ['p_r'], async (feedId) => {
    const feed = env.client.workflow.getHandle(feedId);
    const engagement = env.client.workflow.getHandle(engagementWorkflowId('p_r'));
    expect(await received('p_r', 1)).toHaveLength(1);
    await feed.signal(approvalAwaitedSignal, hint('apr_r', 'p_r'));

    // What the feed knows: the contract it read, the approval it was told of. Anything else takes a poll (null).
    const ahead = milestoneEvent('2', 'ctr_r');
    expect(await feed.query(knownRouteQuery, ahead)).toEqual({
      delivery: {
        workflowId: engagementWorkflowId('p_r'),
        signal: 'openTrainEvent',
        args: {
          eventId: '2',
          type: ahead.type,
          resourceId: 'mil_1',
          contractId: 'ctr_r',
          milestoneId: 'mil_1',
          status: 'ACTIVE_FUNDED',
        },
      },
    });
    expect(await feed.query(knownRouteQuery, approvalEvent('9', 'apr_r'))).toMatchObject({
      delivery: { signal: 'approvalResolved', args: { approvalId: 'apr_r', status: 'confirmed' } },
    });
    expect(await feed.query(knownRouteQuery, milestoneEvent('9', 'ctr_unknown'))).toBeNull();
    expect(await feed.query(knownRouteQuery, approvalEvent('9', 'apr_unhinted'))).toBeNull();
    expect(
      await feed.query(knownRouteQuery, { id: '9', type: 'proposal.received', resourceId: 'p_x' }),
    ).toEqual({});

    // The receiver delivers it as the route says, then rings without asking for a poll.
    events.push(ahead, milestoneEvent('3', 'ctr_r'));
    const { delivery } = (await feed.query(knownRouteQuery, ahead))!;
    await engagement.signal(delivery!.signal, delivery!.args);
    const pollsBefore = fake.calls.filter((c) => c.startsWith('updates')).length;
    await feed.signal(updatesDoorbellSignal, { deliveryId: 'd_ahead', routedAhead: [ahead], poll: false });
    await sleep(1_500);
    expect(fake.calls.filter((c) => c.startsWith('updates'))).toHaveLength(pollsBefore);

    // A ring that asks for a poll: it reads events 2 and 3 and routes only 3; event 2 reached the engagement once.
    await feed.signal(updatesDoorbellSignal, { deliveryId: 'd_other' });
    const got = (await received('p_r', 3)) as { eventId?: string }[];
    await sleep(500);
    expect((await engagement.query(receivedQuery)).map((r) => (r as { eventId?: string }).eventId)).toEqual([
      '1',
      '2',
      '3',
    ]);
    expect(got).toHaveLength(3);
    expect((await feed.query(updatesFeedStatusQuery)).cursor).toBe('3');
    // Replayed by the replay test: a run that took routed-ahead events and rings that asked for no poll, recorded
    // again after each feed patch ('feed-deliver-by-activity', then 'feed-interval-from-poll-start').
    await recordHistory(feed as never, 'updates-feed-routed-ahead-interval-from-poll-start');
  });
  expect(fake.calls.filter((c) => !c.startsWith('updates'))).toEqual([]);
});
