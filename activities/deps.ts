import type { OpenTrainClient } from '../opentrain';
import type { FeedDeliveryDeps } from './feed-delivery';
import type { Notifier } from './notifier';
import type { UpdatesFeedDeps } from './updates-feed';

/** The OpenTrain calls the engagement activities make (a Pick, so tests can pass a small fake). */
export type EngagementOpenTrain = Pick<
  OpenTrainClient,
  | 'getMe'
  | 'getCapabilities'
  | 'getCredits'
  | 'hireProposal'
  | 'getApproval'
  | 'listContracts'
  | 'getContract'
  | 'createMilestone'
  | 'fundMilestone'
  | 'releaseMilestone'
  | 'endContract'
  | 'sendMessage'
  | 'listMessages'
>;

export interface EngagementActivityDeps {
  openTrain: EngagementOpenTrain;
  /** Where human notifications go besides the log line; the worker builds it from NOTIFY_WEBHOOK_URL. */
  notifier?: Notifier;
}

/** Everything the worker hands to the activities. The OpenTrain token lives inside `openTrain` and nowhere else. */
export interface ActivityDeps extends EngagementActivityDeps, FeedDeliveryDeps {
  openTrain: OpenTrainClient;
  /** Told about each successful `/updates` poll (the worker's feed metrics). */
  onFeedPoll?: UpdatesFeedDeps['onFeedPoll'];
}
