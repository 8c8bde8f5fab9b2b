import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { inLanes } from '../domain/lanes';
import type { EventDelivery } from '../workflows/updates-feed-messages';

/**
 * The updates feed's deliveries as one activity: a routed chunk of events becomes signals sent by the worker's
 * Temporal client, not one `SignalExternalWorkflowExecution` command each. That is one activity in the feed's
 * history per chunk instead of two events and a workflow task round trip per signal, which is what kept a busy
 * feed routing a page for seconds.
 */

export interface FeedDeliveryDeps {
  /** The worker's client of its own namespace, with the same data converter (payloads stay encrypted). */
  temporal: Pick<Client, 'workflow'>;
}

export interface FeedDeliveryOutcome {
  delivered: number;
  /** Deliveries whose engagement is not running (not ours, or ended): dropped, as an external signal would be. */
  notRunning: { index: number; workflowId: string; error: string }[];
}

/** The signal an event becomes, sent by a client: the webhook receiver's route-ahead and the feed's deliveries. */
export function signalDelivery(temporal: Pick<Client, 'workflow'>, delivery: EventDelivery): Promise<void> {
  return temporal.workflow.getHandle(delivery.workflowId).signal<[unknown]>(delivery.signal, delivery.args);
}

export function createFeedDeliveryActivities({ temporal }: FeedDeliveryDeps) {
  return {
    /**
     * One engagement's deliveries in the order given (each accepted by the server before the next is sent),
     * different engagements at once. Any other failure fails the activity, which is retried whole: a signal sent
     * twice is harmless (engagements ignore a decision or event they already have), a signal never sent is not.
     */
    async feedDeliverEvents(input: { deliveries: EventDelivery[] }): Promise<FeedDeliveryOutcome> {
      const numbered = input.deliveries.map((delivery, index) => ({ delivery, index }));
      const notRunning: FeedDeliveryOutcome['notRunning'] = [];
      const lanes = await Promise.allSettled(
        inLanes(numbered, (n) => n.delivery.workflowId).map(async (lane) => {
          for (const { delivery, index } of lane) {
            try {
              await signalDelivery(temporal, delivery);
            } catch (err) {
              if (!(err instanceof WorkflowNotFoundError)) throw err;
              notRunning.push({ index, workflowId: delivery.workflowId, error: err.message });
            }
          }
        }),
      );
      const failed = lanes.find((lane): lane is PromiseRejectedResult => lane.status === 'rejected');
      if (failed) throw failed.reason;
      notRunning.sort((a, b) => a.index - b.index);
      return { delivered: input.deliveries.length - notRunning.length, notRunning };
    },
  };
}

export type FeedDeliveryActivities = ReturnType<typeof createFeedDeliveryActivities>;
