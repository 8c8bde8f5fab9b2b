import { setTimeout as sleep } from 'node:timers/promises';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createFeedDeliveryActivities } from '../../activities/feed-delivery';
import type { FeedEvent, FeedPage, UpdatesFeedActivities } from '../../activities/updates-feed';
import { engagementWorkflowId } from '../../domain/ids';
import type { UpdatesFeedInput } from '../../workflows/updates-feed';
import { updatesFeedStatusQuery } from '../../workflows/updates-feed-messages';
import type { UpdatesFeedStatus } from '../../workflows/updates-feed-messages';
import { bundleWorkflows, createDevServerEnv } from '../support/temporal';

/**
 * An old account's first catch-up: the feed must hand over (continue-as-new) between events, so no run's history
 * nears Temporal's limits, while every event still reaches its engagement exactly once and in order.
 *
 * OpenTrain is faked at the activity boundary. The engagements are workflows on a task queue nobody polls: each
 * signal the feed sends is recorded in their history and nothing else runs, which keeps 10,000 events quick.
 */

jest.setTimeout(240_000);
let env: TestWorkflowEnvironment;
let n = 0;

beforeAll(async () => {
  // The dev server, not the time-skipping one: nothing here waits on a timer, and under load the time-skipping
  // server stalled a catch-up for minutes (a 10,000-event backlog took 181 s there, 25 s here).
  env = await createDevServerEnv();
});
afterAll(() => env?.teardown());

/**
 * An old account's mix: every other event is chatter no engagement acts on (passed over without a call); the rest
 * are each proposal's contract creation (which names the proposal), then milestone events naming only the contract.
 */
function backlog(count: number, proposals: string[]): FeedEvent[] {
  return Array.from({ length: count }, (_, i): FeedEvent => {
    const id = String(i + 1);
    if (i % 2 === 1)
      return { id, type: i % 4 === 1 ? 'message.received' : 'proposal.received', resourceId: id };
    const routed = i / 2;
    const proposalId = proposals[routed % proposals.length] as string;
    const contractId = `ctr_${proposalId}`;
    return routed < proposals.length
      ? { id, type: 'contract.created', resourceId: contractId, contractId, proposalId }
      : {
          id,
          type: 'milestone.status_changed',
          resourceId: `mil_${id}`,
          contractId,
          milestoneId: `mil_${id}`,
        };
  });
}

/** The ids of the events meant for `proposalId`, oldest first. */
function meantFor(events: FeedEvent[], proposals: string[], proposalId: string): string[] {
  return events
    .filter((e) => e.proposalId === proposalId || e.contractId === `ctr_${proposalId}`)
    .map((e) => e.id);
}

/** `/updates` over ids 1..N; contract reads are recorded and know nothing, so only the carried cache can route. */
function fakeOpenTrain(events: FeedEvent[]) {
  const fetches: (string | undefined)[] = [];
  const contractReads: string[] = [];
  const activities: UpdatesFeedActivities = {
    async feedFetchUpdates({ cursor, limit }): Promise<FeedPage> {
      fetches.push(cursor);
      const after = events.slice(Number(cursor ?? 0));
      const page = after.slice(0, limit);
      return { events: page, nextCursor: page.at(-1)?.id ?? cursor, hasMore: after.length > limit };
    },
    async feedReadApprovalRoute() {
      return null;
    },
    async feedReadContractProposal({ contractId }) {
      contractReads.push(contractId);
      return null;
    },
    async feedReadConversationProposal() {
      return null;
    },
  };
  return { activities, fetches, contractReads };
}

interface Run {
  runId: string;
  historyLength: number;
  /** The cursor the run was started with. */
  startCursor: string | undefined;
  /** Ids of the `patched()` markers the run recorded. */
  patches: string[];
  continuedAsNew: boolean;
}

/** Runs the feed until it has routed the last event and waits for more; returns its runs and final status. */
async function catchUp(events: FeedEvent[], proposals: string[], input: UpdatesFeedInput) {
  const taskQueue = `feed-backlog-${++n}`;
  const fake = fakeOpenTrain(events);
  for (const proposalId of proposals) {
    await env.client.workflow.start('recordingEngagement', {
      workflowId: engagementWorkflowId(proposalId),
      taskQueue: `${taskQueue}-unpolled`,
    });
  }
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await bundleWorkflows(require.resolve('../../workflows')),
    activities: { ...fake.activities, ...createFeedDeliveryActivities({ temporal: env.client }) },
  });
  const feedId = `feed-backlog-${n}`;
  const started = Date.now();
  let firstRunId = '';
  const status = await worker.runUntil(async () => {
    // An hour between polls: finishing within the test timeout proves each new run resumes polling at once.
    const feed = await env.client.workflow.start('updatesFeedWorkflow', {
      workflowId: feedId,
      taskQueue,
      args: [{ pollIntervalMs: 3_600_000, ...input }],
    });
    firstRunId = feed.firstExecutionRunId;
    const last = events.at(-1)?.id;
    for (;;) {
      const got: UpdatesFeedStatus = await feed.query(updatesFeedStatusQuery);
      if (got.cursor === last && (await parked(feedId))) return got;
      if (Date.now() - started > 150_000) {
        const tail = await historyOf(feedId);
        const types = tail.slice(-4).map((e) => e.eventType);
        throw new Error(
          `feed stuck: ${JSON.stringify(got)}, history ${tail.length}, ending ${types.join(' ')}`,
        );
      }
      await sleep(200);
    }
  });
  const seconds = (Date.now() - started) / 1000;
  return { fake, status, seconds, runs: await runChain(feedId, firstRunId) };
}

async function historyOf(
  workflowId: string,
  runId?: string,
): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  return (await env.client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
}

/** The latest run waits on its poll timer: any hand-over after the last event is recorded, the chain is complete. */
/** Waiting on its poll timer: the last event other than a workflow task's own (an idle task can follow it). */
async function parked(workflowId: string): Promise<boolean> {
  const events = await historyOf(workflowId);
  const last = [...events]
    .reverse()
    .find(
      (e) =>
        !e.workflowTaskScheduledEventAttributes &&
        !e.workflowTaskStartedEventAttributes &&
        !e.workflowTaskCompletedEventAttributes &&
        !e.workflowTaskTimedOutEventAttributes,
    );
  return Boolean(last?.timerStartedEventAttributes);
}

/**
 * Follows the continue-as-new chain from the first run to the latest (parked) one, reading each whole history. It
 * walks back from the latest run, each run's start event naming the run it continues: on a slow machine the
 * time-skipping server has answered a closed run's close event with nothing, for a minute (seen in CI).
 */
async function runChain(workflowId: string, firstRunId: string): Promise<Run[]> {
  const histories = new Map<string, temporal.api.history.v1.IHistoryEvent[]>();
  let runId: string | null | undefined = (await env.client.workflow.getHandle(workflowId).describe()).runId;
  while (runId) {
    const events = await historyOf(workflowId, runId);
    histories.set(runId, events);
    if (runId === firstRunId) break;
    runId = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
  }
  if (!histories.has(firstRunId)) throw new Error(`the chain back from the latest run misses ${firstRunId}`);
  const runs: Run[] = [];
  for (const [runId, events] of [...histories].reverse()) {
    const status = (await env.client.workflow.getHandle(workflowId, runId).describe()).status.name;
    const payload = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    const input = payload ? defaultPayloadConverter.fromPayload<UpdatesFeedInput>(payload) : undefined;
    runs.push({
      runId,
      historyLength: events.length,
      startCursor: input?.cursor,
      patches: events.flatMap((e) => {
        const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0];
        return data ? [defaultPayloadConverter.fromPayload<{ id: string }>(data).id] : [];
      }),
      continuedAsNew: status === 'CONTINUED_AS_NEW',
    });
  }
  return runs;
}

/** The event ids each engagement was signalled with, in the order its history recorded them. */
async function signalled(proposalId: string): Promise<string[]> {
  const events = await historyOf(engagementWorkflowId(proposalId));
  return events.flatMap((e) => {
    const payload = e.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0];
    return payload ? [defaultPayloadConverter.fromPayload<{ eventId: string }>(payload).eventId] : [];
  });
}

it('hands over mid-catch-up once history passes the bound, resuming at the next unrouted event', async () => {
  const proposals = ['p_small'];
  const events = backlog(40, proposals);
  const bound = 60;
  const { runs, status, fake } = await catchUp(events, proposals, {
    pageSize: 10,
    continueAsNewAfterEvents: bound,
  });

  // Before the fix the whole backlog was routed in one run (~135 events) before the bound was looked at.
  const [first, second] = runs;
  expect(first?.continuedAsNew).toBe(true);
  for (const run of runs) expect(run.historyLength).toBeLessThanOrEqual(bound + 25);
  expect(Number(second?.startCursor)).toBeGreaterThan(0);
  expect(Number(second?.startCursor)).toBeLessThan(40);
  // A new run records every patch of the feed's current behaviour (the first decided as the run starts).
  expect(first?.patches).toEqual([
    'feed-fast-only-while-webhooks-silent',
    'feed-hint-waits-one-fast-interval',
    'feed-webhook-routed-ahead',
    'feed-deliver-by-activity',
    'feed-interval-from-poll-start',
    'feed-parallel-routing',
    'feed-continue-as-new-per-page',
  ]);

  expect(await signalled('p_small')).toEqual(meantFor(events, proposals, 'p_small'));
  expect(status).toMatchObject({ cursor: '40', eventsRouted: 20 });
  expect(fake.contractReads).toEqual([]);
  // Each run reads on from where the last one stopped, never from an older cursor.
  const fetched = fake.fetches.map((c) => Number(c ?? 0));
  expect(fetched).toEqual([...fetched].sort((a, b) => a - b));
});

it('works through a 10,000-event backlog in bounded runs, each engagement getting its events once and in order', async () => {
  const proposals = Array.from({ length: 8 }, (_, i) => `p_backlog_${i}`);
  const events = backlog(10_000, proposals);
  // Delivered by activity, the default bound (2,000) holds all 10,000 events in one run (~1,300 history events);
  // a bound of 500 with pages of 50 makes the same backlog hand over many times.
  const bound = 500;
  const { runs, status, fake, seconds } = await catchUp(events, proposals, {
    pageSize: 50,
    continueAsNewAfterEvents: bound,
  });

  const lengths = runs.map((r) => r.historyLength);
  console.log(
    `10,000 events: ${runs.length} runs, longest history ${Math.max(...lengths)} events ` +
      `(${lengths.join(', ')}), ${fake.fetches.length} page reads, ${seconds.toFixed(1)} s`,
  );
  // A run ends within one chunk's reserve of the bound. How many runs it takes depends on how many workflow
  // tasks the routing needed; at least several.
  const total = lengths.reduce((sum, n) => sum + n, 0);
  expect(runs.length).toBeGreaterThanOrEqual(Math.max(3, Math.ceil(total / (bound + 25))));
  expect(Math.max(...lengths)).toBeLessThanOrEqual(bound + 25);
  expect(runs.slice(0, -1).every((r) => r.continuedAsNew)).toBe(true);
  // Every hand-over's cursor is past the one before: each run made progress and none went back.
  const cursors = runs.slice(1).map((r) => Number(r.startCursor));
  expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
  expect(new Set(cursors).size).toBe(cursors.length);

  for (const proposalId of proposals) {
    expect(await signalled(proposalId)).toEqual(meantFor(events, proposals, proposalId));
  }
  expect(status).toMatchObject({ cursor: '10000', eventsRouted: 5_000 });
  // contract → proposal was learnt from the first page only: every later run routed from the carried cache.
  expect(fake.contractReads).toEqual([]);
  // 200 pages, plus at most one re-read per hand-over: the chatter events cost nothing.
  expect(fake.fetches.length).toBeLessThanOrEqual(200 + runs.length);
});
