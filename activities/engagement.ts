import { createApprovalActivities } from './approvals';
import { createContractActivities } from './contract';
import type { EngagementActivityDeps } from './deps';
import { createHireActivities } from './hire';
import { createMessageActivities } from './messages';
import { createMilestoneActivities } from './milestones';
import { createNotifyActivities } from './notify-human';
import { createPreconditionActivities } from './preconditions';

/** The engagement workflow's activities: thin wrappers over the OpenTrain client and the notifier. */
export function createEngagementActivities({ openTrain, notifier }: EngagementActivityDeps) {
  return {
    ...createPreconditionActivities(openTrain),
    ...createHireActivities(openTrain),
    ...createApprovalActivities(openTrain),
    ...createContractActivities(openTrain),
    ...createMilestoneActivities(openTrain),
    ...createMessageActivities(openTrain),
    ...createNotifyActivities(notifier),
  };
}

export type EngagementActivities = ReturnType<typeof createEngagementActivities>;
