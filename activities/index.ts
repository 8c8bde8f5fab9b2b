import type { ActivityDeps } from './deps';
import { createEngagementActivities } from './engagement';
import { createFeedDeliveryActivities } from './feed-delivery';
import { createUpdatesFeedActivities } from './updates-feed';

export type { ActivityDeps } from './deps';
export type { HumanNotification, Notifier } from './notifier';
export { notifierFromConfig, webhookNotifier } from './notifier';

/** Every activity the worker registers. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createEngagementActivities(deps),
    ...createUpdatesFeedActivities(deps),
    ...createFeedDeliveryActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
