import type { SignalDefinition } from '@temporalio/workflow';
import type { FeedEvent } from '../activities/updates-feed';
import type { EventDelivery } from './updates-feed-messages';

/**
 * The signal each kind of OpenTrain event becomes for its engagement: one shape whether the feed sends it after a
 * poll or the webhook receiver sends it on the feed's `knownRoute` answer.
 */

/** Contract, milestone and payment events carry the contract, which names the engagement. */
export const CONTRACT_EVENT = /^(contract|milestone|payment)\./;

/** The serialisable form of a signal, as the feed sends it and as `knownRouteQuery` names it. */
export function toDelivery<T>(workflowId: string, signal: SignalDefinition<[T]>, args: T): EventDelivery {
  return { workflowId, signal: signal.name, args };
}

/** `approvalResolved`'s payload. */
export function decisionOf(approvalId: string, status: string) {
  return { approvalId, status };
}

/** `openTrainEvent`'s payload: the event's ids, which the engagement reads OpenTrain about. */
export function noticeOf(event: FeedEvent, contractId: string) {
  return {
    eventId: event.id,
    type: event.type,
    resourceId: event.resourceId,
    contractId,
    milestoneId: event.milestoneId,
    status: event.status,
  };
}
