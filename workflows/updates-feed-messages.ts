import { defineQuery, defineSignal } from '@temporalio/workflow';

/** Messages of the updates feed, imported by the webhook receiver and by anyone checking the feed's health. */

/** "Something happened at OpenTrain": poll `/updates` now instead of at the next interval. */
export const updatesDoorbellSignal = defineSignal<[{ deliveryId?: string }]>('updatesDoorbell');

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

/** The engagement that told the feed it awaits this approval, if one did: the webhook's express route. */
export const awaitedApprovalQuery = defineQuery<string | null, [string]>('awaitedApproval');
