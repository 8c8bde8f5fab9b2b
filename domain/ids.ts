/** Names shared by the worker, the clients and the workflows. */
export const TASK_QUEUE = 'engagements';

/** Business id as workflow id: starting the same engagement twice finds the first one. */
export function engagementWorkflowId(proposalId: string): string {
  return `engagement-${proposalId}`;
}

/** The one workflow that owns the OpenTrain `/updates` cursor. */
export const UPDATES_FEED_WORKFLOW_ID = 'opentrain-updates-feed';
