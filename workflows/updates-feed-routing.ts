import {
  ActivityFailure,
  ApplicationFailure,
  log,
  patched,
  proxyActivities,
  type SignalDefinition,
} from '@temporalio/workflow';
import type { FeedEvent, UpdatesFeedActivities } from '../activities/updates-feed';
import { engagementWorkflowId } from '../domain/ids';
import { approvalResolvedSignal, messageReceivedSignal, openTrainEventSignal } from './messages';
import { deliverChunk, type Delivery } from './updates-feed-delivery';
import type { ApprovalAwaited, KnownRoute } from './updates-feed-messages';
import { CONTRACT_EVENT, decisionOf, noticeOf, toDelivery } from './updates-feed-signals';

/**
 * Where each OpenTrain event goes, and its delivery as a signal. Shared by the feed's two routing paths: one event
 * at a time (runs recorded before routing went parallel) and a chunk of events at once.
 */

const { feedReadApprovalRoute, feedReadContractProposal, feedReadConversationProposal } =
  proxyActivities<UpdatesFeedActivities>({
    startToCloseTimeout: '30 seconds',
    heartbeatTimeout: '20 seconds',
    // Bounded: a poll that keeps failing gives up and the next interval tries again from the same cursor.
    retry: { initialInterval: '1 second', maximumInterval: '20 seconds', maximumAttempts: 4 },
  });

/** Bounds the contract cache so the continue-as-new input stays small; evicted entries are simply read again. */
const MAX_CACHED_CONTRACTS = 500;
/** Marks runs that route `message.received` to the engagement whose thread it is (older runs dropped them). */
const FEED_MESSAGE_ROUTING_PATCH = 'feed-message-routing';
/** Approvals are decided or expired within ~72 h; a hint older than this is for an approval nobody will decide. */
const AWAITED_HINT_TTL_MS = 80 * 3_600_000;
/** Bounds the carried hints (an entry is ~100 bytes of continue-as-new input); the oldest go first. */
const MAX_AWAITED_HINTS = 10_000;

/** Bounds the events routed ahead by the webhook receiver that the feed has not read yet. */
const MAX_ROUTED_AHEAD = 1_000;

export class FeedRouter {
  readonly contractProposals: Map<string, string>;
  /** conversationId → proposalId: a contract's thread and its engagement, learnt by reading, carried along. */
  readonly conversationProposals: Map<string, string>;
  /** approvalId → the engagement waiting for it (its own hint): routes `approval.confirmed` without a read. */
  readonly awaited: Map<string, ApprovalAwaited>;
  /** Ids of events the webhook receiver delivered already: the poll that reads them skips them, once. */
  readonly routedAhead: Set<string>;
  eventsRouted: number;

  constructor(carried: {
    contractProposals?: [string, string][];
    conversationProposals?: [string, string][];
    awaited?: ApprovalAwaited[];
    routedAhead?: string[];
    eventsRouted?: number;
  }) {
    this.contractProposals = new Map(carried.contractProposals ?? []);
    this.conversationProposals = new Map(carried.conversationProposals ?? []);
    this.awaited = new Map((carried.awaited ?? []).map((hint) => [hint.approvalId, hint]));
    this.routedAhead = new Set(carried.routedAhead ?? []);
    this.eventsRouted = carried.eventsRouted ?? 0;
  }

  noteAwaited(hint: ApprovalAwaited, nowMs: number): void {
    this.awaited.delete(hint.approvalId);
    this.awaited.set(hint.approvalId, hint);
    for (const [id, old] of this.awaited) {
      const stale = nowMs - Date.parse(old.requestedAt) > AWAITED_HINT_TTL_MS;
      if (!stale && this.awaited.size <= MAX_AWAITED_HINTS) break;
      this.awaited.delete(id);
    }
  }

  /** True while some engagement waits on an approval requested within `windowMs`: the human may click any moment. */
  awaitingYoung(nowMs: number, windowMs: number): boolean {
    for (const hint of this.awaited.values())
      if (nowMs - Date.parse(hint.requestedAt) < windowMs) return true;
    return false;
  }

  /**
   * Where an event goes, from what the feed knows without a read (see `knownRouteQuery`): an awaited approval's
   * decision, or an event of a contract whose engagement is known. Threads are left to the poll (null).
   */
  knownRoute(event: FeedEvent): KnownRoute | null {
    if (event.type === 'approval.confirmed' && event.approvalId) {
      const hint = this.awaited.get(event.approvalId);
      if (!hint || !event.status) return null;
      return {
        delivery: toDelivery(
          hint.engagementId,
          approvalResolvedSignal,
          decisionOf(event.approvalId, event.status),
        ),
      };
    }
    if (CONTRACT_EVENT.test(event.type) && event.contractId) {
      const proposalId = event.proposalId ?? this.contractProposals.get(event.contractId);
      return proposalId
        ? {
            delivery: toDelivery(
              engagementWorkflowId(proposalId),
              openTrainEventSignal,
              noticeOf(event, event.contractId),
            ),
          }
        : null;
    }
    if (event.type === 'message.received' && event.conversationId) return null;
    return {};
  }

  /** The webhook receiver delivered these already: learn what they teach, and skip them when the poll reads them. */
  noteRoutedAhead(events: FeedEvent[]): void {
    for (const event of events) {
      if (event.type === 'approval.confirmed' && event.approvalId) this.awaited.delete(event.approvalId);
      if (event.contractId && event.proposalId) this.remember(event.contractId, event.proposalId);
      this.routedAhead.add(event.id);
      if (this.routedAhead.size > MAX_ROUTED_AHEAD)
        this.routedAhead.delete(this.routedAhead.values().next().value!);
      this.eventsRouted += 1;
    }
  }

  /** The routed-ahead ids the feed has not read yet (numeric ids above the cursor), for continue-as-new. */
  routedAheadBeyond(cursor: string | undefined): string[] {
    const read = Number(cursor ?? -1);
    return [...this.routedAhead].filter((id) => !(Number(id) <= read));
  }

  /** One event, resolved and delivered before the next (runs recorded before parallel routing replay this). */
  async routeOne(event: FeedEvent): Promise<void> {
    const delivery = await this.resolveOrSkip(event, false);
    if (delivery) this.eventsRouted += await deliverChunk([delivery], false);
  }

  /**
   * A chunk of events: every route is resolved at once (reads in parallel), then each engagement gets its events
   * in feed order while different engagements are signalled concurrently (`byActivity`: by one activity for the
   * whole chunk). A transient failure throws, so the poll stops with the cursor before the chunk and routes it
   * again next time: nothing is skipped, and an event delivered twice is ignored by its engagement.
   */
  async routeChunk(events: FeedEvent[], byActivity: boolean): Promise<void> {
    const deliveries = await Promise.all(events.map((event) => this.resolveOrSkip(event, true)));
    this.eventsRouted += await deliverChunk(
      deliveries.filter((d): d is Delivery => d !== undefined),
      byActivity,
    );
  }

  /** A business refusal (non-retryable, e.g. 403) for one event skips it; anything transient stops the poll. */
  private async resolveOrSkip(event: FeedEvent, useHints: boolean): Promise<Delivery | undefined> {
    try {
      return await this.resolve(event, useHints);
    } catch (err) {
      const cause = err instanceof ActivityFailure ? err.cause : undefined;
      if (!(cause instanceof ApplicationFailure && cause.nonRetryable)) throw err;
      log.warn('OpenTrain event skipped: reading it was refused', {
        eventId: event.id,
        error: cause.message,
      });
      return undefined;
    }
  }

  private async resolve(event: FeedEvent, useHints: boolean): Promise<Delivery | undefined> {
    if (this.routedAhead.delete(event.id)) return undefined;
    if (event.type === 'approval.confirmed' && event.approvalId) {
      const approvalId = event.approvalId;
      const known = useHints ? this.knownRoute(event)?.delivery : undefined;
      if (known) {
        this.awaited.delete(approvalId);
        return { ...known, event };
      }
      const approval = await feedReadApprovalRoute({ approvalId });
      if (!approval) return undefined;
      const proposalId =
        approval.proposalId ??
        (approval.contractId ? await this.proposalOfContract(approval.contractId) : undefined);
      const decision = decisionOf(approvalId, event.status ?? approval.status);
      return this.toEngagement(proposalId, event, approvalResolvedSignal, decision);
    }
    if (CONTRACT_EVENT.test(event.type) && event.contractId) {
      if (event.proposalId) this.remember(event.contractId, event.proposalId);
      const proposalId = event.proposalId ?? (await this.proposalOfContract(event.contractId));
      return this.toEngagement(proposalId, event, openTrainEventSignal, noticeOf(event, event.contractId));
    }
    if (event.type === 'message.received' && event.conversationId && patched(FEED_MESSAGE_ROUTING_PATCH)) {
      const conversationId = event.conversationId;
      const proposalId = await this.proposalOfConversation(conversationId, event.jobId);
      const notice = { conversationId, messageId: event.resourceId ?? undefined, eventId: event.id };
      return this.toEngagement(proposalId, event, messageReceivedSignal, notice);
    }
    // proposal.received, …: no engagement acts on them.
    return undefined;
  }

  /**
   * One read per unknown thread, shared by concurrent events of it; a thread that is no contract's (a pre-hire
   * chat) is read again next time.
   */
  private proposalOfConversation(conversationId: string, jobId?: string): Promise<string | undefined> {
    const known = this.conversationProposals.get(conversationId);
    if (known) return Promise.resolve(known);
    let reading = this.conversationReads.get(conversationId);
    if (!reading) {
      reading = feedReadConversationProposal({ conversationId, jobId })
        .then((found) => {
          if (found) remember(this.conversationProposals, conversationId, found.proposalId);
          return found?.proposalId;
        })
        .finally(() => this.conversationReads.delete(conversationId));
      this.conversationReads.set(conversationId, reading);
    }
    return reading;
  }

  private toEngagement<T>(
    proposalId: string | undefined,
    event: FeedEvent,
    signal: SignalDefinition<[T]>,
    args: T,
  ): Delivery | undefined {
    if (!proposalId) {
      log.info('OpenTrain event has no engagement to route to', { eventId: event.id, type: event.type });
      return undefined;
    }
    return { ...toDelivery(engagementWorkflowId(proposalId), signal, args), event };
  }

  private readonly contractReads = new Map<string, Promise<string | undefined>>();
  private readonly conversationReads = new Map<string, Promise<string | undefined>>();

  /** Concurrent events of one unknown contract share a single read. */
  private proposalOfContract(contractId: string): Promise<string | undefined> {
    const known = this.contractProposals.get(contractId);
    if (known) return Promise.resolve(known);
    let reading = this.contractReads.get(contractId);
    if (!reading) {
      reading = feedReadContractProposal({ contractId })
        .then((contract) => {
          if (contract?.proposalId) this.remember(contractId, contract.proposalId);
          return contract?.proposalId ?? undefined;
        })
        .finally(() => this.contractReads.delete(contractId));
      this.contractReads.set(contractId, reading);
    }
    return reading;
  }

  private remember(contractId: string, proposalId: string): void {
    remember(this.contractProposals, contractId, proposalId);
  }
}

/** Least recently learnt first out, so the carried caches stay small. */
function remember(cache: Map<string, string>, key: string, proposalId: string): void {
  cache.delete(key);
  cache.set(key, proposalId);
  if (cache.size > MAX_CACHED_CONTRACTS) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
}
