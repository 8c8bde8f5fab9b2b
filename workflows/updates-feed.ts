import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { FeedEvent, UpdatesFeedActivities } from '../activities/updates-feed';
import { FeedRouter } from './updates-feed-routing';
import {
  approvalAwaitedSignal,
  knownRouteQuery,
  updatesDoorbellSignal,
  updatesFeedStatusQuery,
  type ApprovalAwaited,
} from './updates-feed-messages';
import type { UpdatesFeedStatus } from './updates-feed-messages';

/**
 * The one workflow that owns OpenTrain's `/updates` cursor ("the webhook is the doorbell, `/updates` is the
 * ledger"). It polls when the doorbell rings and on an interval, and routes every event to its engagement as a
 * signal. The cursor lives in this workflow's state, so no restart of any process can lose or skip an event; it
 * only advances past an event once that event was routed (or proven not ours).
 */

export interface UpdatesFeedInput {
  /**
   * Where to resume. [GAP] OpenTrain documents no retention period for `/updates`: omitted on the very first run,
   * the feed starts at the beginning of the account's history (events for engagements that are not ours are dropped).
   */
  cursor?: string;
  /** Between polls while no young approval waits (and always without the engagements' hints). */
  pollIntervalMs?: number;
  /**
   * Between polls while some engagement waits on an approval requested less than `fastPollWindowMs` ago: without
   * webhooks this is the latency from the human's click to the engagement. Calls per minute stay independent of
   * how many engagements wait.
   */
  fastPollIntervalMs?: number;
  fastPollWindowMs?: number;
  /**
   * Webhooks count as working while the doorbell rang less than this ago: the feed then polls at `pollIntervalMs`
   * only, since the next ring brings the human's click. Silent longer (no webhooks, or they stopped), it polls fast.
   */
  webhookSilenceMs?: number;
  /** When the doorbell last rang (workflow time), carried across continue-as-new. */
  lastDoorbellAt?: number;
  pageSize?: number;
  /** contractId → proposalId, learnt from earlier events, carried across continue-as-new. */
  contractProposals?: [string, string][];
  /** conversationId → proposalId: contract threads and their engagements, carried across continue-as-new. */
  conversationProposals?: [string, string][];
  /** The engagements' "I wait on this approval" hints, carried across continue-as-new. */
  awaited?: ApprovalAwaited[];
  /** Ids of events the webhook receiver routed ahead that no poll has read yet, carried across continue-as-new. */
  routedAhead?: string[];
  /**
   * Continue-as-new once history passes this many events, even if the server has not suggested it yet. Checked
   * between routed chunks, so a run ends within one chunk's routing of this bound.
   */
  continueAsNewAfterEvents?: number;
  /** Counters carried across continue-as-new, for the status query. */
  polls?: number;
  eventsRouted?: number;
}

const DEFAULT_FEED_POLL_INTERVAL_MS = 30_000;
const DEFAULT_FAST_POLL_INTERVAL_MS = 2_000;
/** Most humans decide within minutes of being told; a slower one waits at most one normal interval more. */
const DEFAULT_FAST_POLL_WINDOW_MS = 30 * 60_000;
const DEFAULT_WEBHOOK_SILENCE_MS = 10 * 60_000;
const DEFAULT_PAGE_SIZE = 100;
const DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS = 2_000;
/** Events routed at once: reads in parallel, bounded so a chunk's history (≤ ~6 events each) stays small. */
const CHUNK_SIZE = 20;
/** With deliveries by activity a chunk costs one activity plus its reads: a whole default page at once. */
const CHUNK_SIZE_DELIVERED_BY_ACTIVITY = 100;
/** At most what routing one event writes (a read, its retry, a signal) — reserved before a chunk is routed. */
const HISTORY_EVENTS_PER_ROUTED_EVENT = 6;
/** Marks runs that may hand over in the middle of a catch-up; older histories routed the whole backlog first. */
const FEED_CONTINUE_AS_NEW_PER_PAGE_PATCH = 'feed-continue-as-new-per-page';
/** Marks runs that route a chunk of events at once; older histories routed one event after the other. */
const FEED_PARALLEL_ROUTING_PATCH = 'feed-parallel-routing';
/** Marks runs that skip the fast rhythm while webhooks ring; older histories polled fast whenever one waited. */
const FEED_FAST_ONLY_WHILE_SILENT_PATCH = 'feed-fast-only-while-webhooks-silent';
/** Marks runs where a hint brings the next poll to one fast interval away; older histories polled at once. */
const FEED_HINT_WAITS_FAST_INTERVAL_PATCH = 'feed-hint-waits-one-fast-interval';
/** Marks runs that skip events the webhook receiver routed ahead; older histories polled at every ring. */
const FEED_ROUTED_AHEAD_PATCH = 'feed-webhook-routed-ahead';
/** Marks runs that deliver a chunk by one activity; older histories signalled each event from the workflow. */
const FEED_DELIVER_BY_ACTIVITY_PATCH = 'feed-deliver-by-activity';
/** Marks runs whose interval counts from the poll's start; older histories counted it from the end of routing. */
const FEED_INTERVAL_FROM_POLL_START_PATCH = 'feed-interval-from-poll-start';

const { feedFetchUpdates } = proxyActivities<UpdatesFeedActivities>({
  startToCloseTimeout: '30 seconds',
  // Bounded: a poll that keeps failing gives up and the next interval tries again from the same cursor.
  retry: { initialInterval: '1 second', maximumInterval: '20 seconds', maximumAttempts: 4 },
});

export async function updatesFeedWorkflow(input: UpdatesFeedInput = {}): Promise<void> {
  const pollIntervalMs = input.pollIntervalMs ?? DEFAULT_FEED_POLL_INTERVAL_MS;
  const fastPollIntervalMs = Math.min(
    input.fastPollIntervalMs ?? DEFAULT_FAST_POLL_INTERVAL_MS,
    pollIntervalMs,
  );
  const fastPollWindowMs = input.fastPollWindowMs ?? DEFAULT_FAST_POLL_WINDOW_MS;
  const webhookSilenceMs = input.webhookSilenceMs ?? DEFAULT_WEBHOOK_SILENCE_MS;
  // Decided at the start of the run, so the marker's place never depends on when a signal came.
  const fastOnlyWhileSilent = patched(FEED_FAST_ONLY_WHILE_SILENT_PATCH);
  const hintWaitsFastInterval = patched(FEED_HINT_WAITS_FAST_INTERVAL_PATCH);
  const takesRoutedAhead = patched(FEED_ROUTED_AHEAD_PATCH);
  const deliversByActivity = patched(FEED_DELIVER_BY_ACTIVITY_PATCH);
  const intervalFromPollStart = patched(FEED_INTERVAL_FROM_POLL_START_PATCH);
  let pollStartedAt = Date.now();
  const pageSize = input.pageSize ?? DEFAULT_PAGE_SIZE;
  const continueAsNewAfter = input.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS;
  const router = new FeedRouter(input);
  const status: UpdatesFeedStatus = {
    cursor: input.cursor,
    polls: input.polls ?? 0,
    eventsRouted: router.eventsRouted,
    lastPollAt: undefined,
    lastError: undefined,
    awaitingApprovals: 0,
  };
  let doorbellRung = false;
  let lastDoorbellAt = input.lastDoorbellAt;
  let hinted = false;
  // Every ring says webhooks are alive; only one with events not routed ahead calls for a poll now.
  setHandler(updatesDoorbellSignal, (ring) => {
    lastDoorbellAt = Date.now();
    if (takesRoutedAhead) {
      router.noteRoutedAhead(ring?.routedAhead ?? []);
      if (ring?.poll === false) return;
    }
    doorbellRung = true;
  });
  const webhooksRinging = () =>
    fastOnlyWhileSilent && lastDoorbellAt !== undefined && Date.now() - lastDoorbellAt < webhookSilenceMs;
  setHandler(approvalAwaitedSignal, (hint) => {
    router.noteAwaited(hint, Date.now());
    hinted = true;
  });
  // Runs recorded before the patch route every event again at their next poll, so they name only the awaited
  // approvals' engagements (a repeated decision is ignored there), as they did before.
  setHandler(knownRouteQuery, (event) =>
    takesRoutedAhead || event.type === 'approval.confirmed' ? router.knownRoute(event) : null,
  );
  setHandler(updatesFeedStatusQuery, () => ({
    ...status,
    eventsRouted: router.eventsRouted,
    awaitingApprovals: router.awaited.size,
  }));

  /** `reserve`: history events the next step may add, so a run never passes the bound by more than a task's worth. */
  function historyFull(reserve = 0): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength + reserve >= continueAsNewAfter;
  }

  /**
   * An old account's first catch-up can route tens of thousands of events (up to ~17 history events each), past
   * Temporal's 51,200-event limit, so the run hands over between chunks rather than only between polls. The
   * patch keeps histories recorded before this check replaying as they ran: they routed the whole backlog first.
   * A run that has not moved the cursor yet never hands over, or a bound below one page's cost would loop forever.
   */
  function handOverNow(reserve = 0): boolean {
    const progressed = status.cursor !== input.cursor;
    return progressed && historyFull(reserve) && patched(FEED_CONTINUE_AS_NEW_PER_PAGE_PATCH);
  }

  /** Routes a page in chunks; `status.cursor` is the last routed event whenever this returns or throws. */
  async function routePage(events: FeedEvent[]): Promise<boolean> {
    const parallel = patched(FEED_PARALLEL_ROUTING_PATCH);
    const size = !parallel ? 1 : deliversByActivity ? CHUNK_SIZE_DELIVERED_BY_ACTIVITY : CHUNK_SIZE;
    for (let at = 0; at < events.length; at += size) {
      const chunk = events.slice(at, at + size);
      if (handOverNow(parallel ? chunk.length * HISTORY_EVENTS_PER_ROUTED_EVENT : 0)) return true;
      if (parallel) await router.routeChunk(chunk, deliversByActivity);
      else await router.routeOne(chunk[0] as FeedEvent);
      status.cursor = chunk.at(-1)?.id ?? status.cursor;
    }
    return false;
  }

  /**
   * Reads pages until caught up; stops early (cursor kept) when OpenTrain keeps failing. Returns true when the run
   * must hand over first: `status.cursor` is then the last routed event, so the next run neither skips nor repeats.
   */
  async function pollUntilCaughtUp(): Promise<boolean> {
    status.polls += 1;
    status.lastPollAt = new Date().toISOString();
    status.lastError = undefined;
    try {
      for (;;) {
        const page = await feedFetchUpdates({ cursor: status.cursor, limit: pageSize });
        if (await routePage(page.events)) return true;
        status.cursor = page.nextCursor ?? status.cursor;
        if (!page.hasMore || page.events.length === 0) return false;
        if (handOverNow()) return true;
      }
    } catch (err) {
      status.lastError = err instanceof Error ? err.message : String(err);
      log.warn('Polling OpenTrain /updates failed; resuming from the same cursor at the next poll', {
        cursor: status.cursor,
        error: status.lastError,
      });
      return false;
    }
  }

  /**
   * Until the doorbell rings or the interval ends: fast while a young approval waits and webhooks are silent. A
   * hint during a slow wait starts the fast rhythm. It brings the next poll to one fast interval away, not to now:
   * the approval it announces was requested a moment ago, so a poll at once would find nothing (a wasted call per
   * approval, and an ordering a test can never rule out). Runs recorded before the patch polled at once.
   */
  async function waitForNextPoll(): Promise<void> {
    hinted = false;
    let fast = !webhooksRinging() && router.awaitingYoung(Date.now(), fastPollWindowMs);
    // A steady rhythm: the time a poll spent routing is not added to the wait for the next one.
    let deadline =
      (intervalFromPollStart ? pollStartedAt : Date.now()) + (fast ? fastPollIntervalMs : pollIntervalMs);
    for (;;) {
      if (deadline <= Date.now()) return;
      const woke = await condition(
        () => doorbellRung || (!fast && hinted && !webhooksRinging()),
        deadline - Date.now(),
      );
      if (!woke || doorbellRung || !hintWaitsFastInterval) return;
      fast = true;
      deadline = Math.min(deadline, Date.now() + fastPollIntervalMs);
      if (deadline <= Date.now()) return;
    }
  }

  // Every run polls first, so a hand-over mid-catch-up resumes at once and a ring that came during it is not lost.
  for (;;) {
    doorbellRung = false;
    pollStartedAt = Date.now();
    const handOver = await pollUntilCaughtUp();
    if (handOver || historyFull()) {
      // The handlers are synchronous; this only guards against handlers added later.
      await condition(allHandlersFinished);
      await continueAsNew<typeof updatesFeedWorkflow>({
        ...input,
        cursor: status.cursor,
        contractProposals: [...router.contractProposals],
        conversationProposals: [...router.conversationProposals],
        awaited: [...router.awaited.values()],
        routedAhead: router.routedAheadBeyond(status.cursor),
        polls: status.polls,
        eventsRouted: router.eventsRouted,
        lastDoorbellAt,
      });
    }
    await waitForNextPoll();
  }
}
