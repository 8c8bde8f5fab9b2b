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
  /** Why the last poll stopped early; it resumes from `cursor` at the next one. */
  lastError: string | undefined;
}

export const updatesFeedStatusQuery = defineQuery<UpdatesFeedStatus>('updatesFeedStatus');
