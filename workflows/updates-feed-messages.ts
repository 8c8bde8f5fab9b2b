import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { FeedEvent } from '../activities/updates-feed';

/** Messages of the updates feed, imported by the webhook receiver and by anyone checking the feed's health. */

/** A verified webhook delivery (or several, collapsed while one ring was being sent). */
export interface DoorbellRing {
  deliveryId?: string;
  /**
   * Events the webhook receiver already delivered to their engagements (on the feed's `knownRoute`): the feed
   * does not route them again when its poll reads them from `/updates`.
   */
  routedAhead?: FeedEvent[];
  /** false: every event of the ring was routed ahead, so nothing calls for a poll now (webhooks are alive). */
  poll?: boolean;
}

/** "Something happened at OpenTrain": poll `/updates` now (unless `poll` is false) instead of at the next interval. */
export const updatesDoorbellSignal = defineSignal<[DoorbellRing]>('updatesDoorbell');

export interface UpdatesFeedStatus {
  /** The last `/updates` cursor whose events were all routed. */
  cursor: string | undefined;
  polls: number;
  eventsRouted: number;
  lastPollAt: string | undefined;
  /** Approvals engagements told the feed they wait on (the feed polls fast while one of them is young). */
  awaitingApprovals: number;
  /** Why the last poll stopped early; it resumes from `cursor` at the next one. */
  lastError: string | undefined;
}

export const updatesFeedStatusQuery = defineQuery<UpdatesFeedStatus>('updatesFeedStatus');

/**
 * From an engagement that starts waiting on an approval: the feed then polls fast while the approval is young, and
 * routes its `approval.confirmed` without reading the approval. Only a hint — the event itself still comes from
 * `/updates`, and an unknown approval is still routed by reading it.
 */
export interface ApprovalAwaited {
  approvalId: string;
  engagementId: string;
  requestedAt: string;
}

export const approvalAwaitedSignal = defineSignal<[ApprovalAwaited]>('approvalAwaited');

/** The signal an event becomes for its engagement: the same whether the feed or the webhook receiver sends it. */
export interface EventDelivery {
  workflowId: string;
  signal: string;
  args: unknown;
}

/**
 * Where the feed would route an event from what it knows already, without reading OpenTrain: `{ delivery }`, or
 * `{}` for an event no engagement acts on; null when only a read (a poll) can tell.
 */
export type KnownRoute = { delivery?: EventDelivery };

/** The webhook receiver's question before it delivers a verified event straight to its engagement. */
export const knownRouteQuery = defineQuery<KnownRoute | null, [FeedEvent]>('knownRoute');
