import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { FeedEvent, UpdatesFeedActivities } from '../activities/updates-feed';
import { engagementWorkflowId } from '../domain/ids';
import { approvalResolvedSignal, openTrainEventSignal } from './messages';
import { updatesDoorbellSignal, updatesFeedStatusQuery } from './updates-feed-messages';
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
  pollIntervalMs?: number;
  pageSize?: number;
  /** contractId → proposalId, learnt from earlier events, carried across continue-as-new. */
  contractProposals?: [string, string][];
  /**
   * Continue-as-new once history passes this many events, even if the server has not suggested it yet. Checked
   * before each event is routed, so a run ends within one event's routing (≤ ~20 history events) of this bound.
   */
  continueAsNewAfterEvents?: number;
  /** Counters carried across continue-as-new, for the status query. */
  polls?: number;
  eventsRouted?: number;
}

const DEFAULT_FEED_POLL_INTERVAL_MS = 30_000;
const DEFAULT_PAGE_SIZE = 100;
const DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS = 2_000;
/** Marks runs that may hand over in the middle of a catch-up; older histories routed the whole backlog first. */
const FEED_CONTINUE_AS_NEW_PER_PAGE_PATCH = 'feed-continue-as-new-per-page';
/** Bounds the contract cache so the continue-as-new input stays small; evicted entries are simply read again. */
const MAX_CACHED_CONTRACTS = 500;

const { feedFetchUpdates, feedReadApprovalRoute, feedReadContractProposal } =
  proxyActivities<UpdatesFeedActivities>({
    startToCloseTimeout: '30 seconds',
    // Bounded: a poll that keeps failing gives up and the next interval tries again from the same cursor.
    retry: { initialInterval: '1 second', maximumInterval: '20 seconds', maximumAttempts: 4 },
  });

export async function updatesFeedWorkflow(input: UpdatesFeedInput = {}): Promise<void> {
  const pollIntervalMs = input.pollIntervalMs ?? DEFAULT_FEED_POLL_INTERVAL_MS;
  const pageSize = input.pageSize ?? DEFAULT_PAGE_SIZE;
  const continueAsNewAfter = input.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS;
  const contractProposals = new Map(input.contractProposals ?? []);
  const status: UpdatesFeedStatus = {
    cursor: input.cursor,
    polls: input.polls ?? 0,
    eventsRouted: input.eventsRouted ?? 0,
    lastPollAt: undefined,
    lastError: undefined,
  };
  let doorbellRung = false;
  setHandler(updatesDoorbellSignal, () => {
    doorbellRung = true;
  });
  setHandler(updatesFeedStatusQuery, () => status);

  async function proposalOfContract(contractId: string): Promise<string | undefined> {
    const known = contractProposals.get(contractId);
    if (known) return known;
    const contract = await feedReadContractProposal({ contractId });
    if (contract?.proposalId) remember(contractId, contract.proposalId);
    return contract?.proposalId ?? undefined;
  }

  function remember(contractId: string, proposalId: string): void {
    contractProposals.delete(contractId);
    contractProposals.set(contractId, proposalId);
    if (contractProposals.size > MAX_CACHED_CONTRACTS) {
      const oldest = contractProposals.keys().next().value;
      if (oldest !== undefined) contractProposals.delete(oldest);
    }
  }

  async function route(event: FeedEvent): Promise<void> {
    if (event.type === 'approval.confirmed' && event.approvalId) {
      const approval = await feedReadApprovalRoute({ approvalId: event.approvalId });
      if (!approval) return;
      const proposalId =
        approval.proposalId ??
        (approval.contractId ? await proposalOfContract(approval.contractId) : undefined);
      const resolved = { approvalId: event.approvalId, status: event.status ?? approval.status };
      await signalEngagement(proposalId, event, (handle) => handle.signal(approvalResolvedSignal, resolved));
      return;
    }
    if (/^(contract|milestone|payment)\./.test(event.type) && event.contractId) {
      if (event.proposalId) remember(event.contractId, event.proposalId);
      const proposalId = event.proposalId ?? (await proposalOfContract(event.contractId));
      const notice = {
        eventId: event.id,
        type: event.type,
        resourceId: event.resourceId,
        contractId: event.contractId,
        milestoneId: event.milestoneId,
      };
      await signalEngagement(proposalId, event, (handle) => handle.signal(openTrainEventSignal, notice));
    }
    // proposal.received, message.received, …: no engagement acts on them.
  }

  /** Engagements are ours only if their workflow exists; a signal to any other id is dropped, not retried. */
  async function signalEngagement(
    proposalId: string | undefined,
    event: FeedEvent,
    send: (handle: ReturnType<typeof getExternalWorkflowHandle>) => Promise<void>,
  ): Promise<void> {
    if (!proposalId) {
      log.info('OpenTrain event has no engagement to route to', { eventId: event.id, type: event.type });
      return;
    }
    try {
      await send(getExternalWorkflowHandle(engagementWorkflowId(proposalId)));
      status.eventsRouted += 1;
    } catch (err) {
      log.info('OpenTrain event not routed: no running engagement', {
        eventId: event.id,
        type: event.type,
        engagementId: engagementWorkflowId(proposalId),
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  function historyFull(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= continueAsNewAfter;
  }

  /**
   * An old account's first catch-up can route tens of thousands of events (up to ~17 history events each), past
   * Temporal's 51,200-event limit, so the run hands over between events rather than only between polls. The
   * patch keeps histories recorded before this check replaying as they ran: they routed the whole backlog first.
   * A run that has not moved the cursor yet never hands over, or a bound below one page's cost would loop forever.
   */
  function handOverNow(): boolean {
    const progressed = status.cursor !== input.cursor;
    return progressed && historyFull() && patched(FEED_CONTINUE_AS_NEW_PER_PAGE_PATCH);
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
        for (const event of page.events) {
          if (handOverNow()) return true;
          await routeOrSkip(event);
          status.cursor = event.id;
        }
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

  /** A business refusal (non-retryable, e.g. 403) for one event skips it; anything transient stops the poll. */
  async function routeOrSkip(event: FeedEvent): Promise<void> {
    try {
      await route(event);
    } catch (err) {
      const cause = err instanceof ActivityFailure ? err.cause : undefined;
      if (!(cause instanceof ApplicationFailure && cause.nonRetryable)) throw err;
      log.warn('OpenTrain event skipped: reading it was refused', {
        eventId: event.id,
        error: cause.message,
      });
    }
  }

  // Every run polls first, so a hand-over mid-catch-up resumes at once and a ring that came during it is not lost.
  for (;;) {
    doorbellRung = false;
    const handOver = await pollUntilCaughtUp();
    if (handOver || historyFull()) {
      // The doorbell handler is synchronous; this only guards against handlers added later.
      await condition(allHandlersFinished);
      await continueAsNew<typeof updatesFeedWorkflow>({
        ...input,
        cursor: status.cursor,
        contractProposals: [...contractProposals],
        polls: status.polls,
        eventsRouted: status.eventsRouted,
      });
    }
    await condition(() => doorbellRung, pollIntervalMs);
  }
}
