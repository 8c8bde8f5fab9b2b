import { getExternalWorkflowHandle, log, proxyActivities } from '@temporalio/workflow';
import type { FeedDeliveryActivities } from '../activities/feed-delivery';
import { inLanes } from '../domain/lanes';
import type { FeedEvent } from '../activities/updates-feed';
import type { EventDelivery } from './updates-feed-messages';

/**
 * How the feed hands a routed chunk to its engagements: one engagement's events in feed order, different
 * engagements at once. Runs since the patch 'feed-deliver-by-activity' send the chunk as one activity (the
 * worker's client signals); older runs replay their `SignalExternalWorkflowExecution` commands, one per event.
 */

/** An event on its way: the signal its engagement gets (a workflow that is not ours drops it). */
export interface Delivery extends EventDelivery {
  event: FeedEvent;
}

const { feedDeliverEvents } = proxyActivities<FeedDeliveryActivities>({
  startToCloseTimeout: '30 seconds',
  // Bounded like the feed's reads: a chunk that keeps failing stops the poll, and the next one routes it again.
  retry: { initialInterval: '1 second', maximumInterval: '20 seconds', maximumAttempts: 4 },
});

/** Returns how many were delivered; throws (a transient failure) with the cursor still before the chunk. */
export async function deliverChunk(deliveries: Delivery[], byActivity: boolean): Promise<number> {
  if (deliveries.length === 0) return 0;
  if (byActivity) {
    const outcome = await feedDeliverEvents({
      deliveries: deliveries.map(({ workflowId, signal, args }) => ({ workflowId, signal, args })),
    });
    for (const miss of outcome.notRunning)
      notRouted(deliveries[miss.index]?.event, miss.workflowId, miss.error);
    return outcome.delivered;
  }
  const counts = await Promise.all(
    inLanes(deliveries, (d) => d.workflowId).map(async (queue) => {
      let delivered = 0;
      for (const delivery of queue) if (await signalExternal(delivery)) delivered += 1;
      return delivered;
    }),
  );
  return counts.reduce((sum, n) => sum + n, 0);
}

/** Engagements are ours only if their workflow exists; a signal to any other id is dropped, not retried. */
async function signalExternal({ workflowId, event, signal, args }: Delivery): Promise<boolean> {
  try {
    await getExternalWorkflowHandle(workflowId).signal(signal, args);
    return true;
  } catch (err) {
    notRouted(event, workflowId, err instanceof Error ? err.message : String(err));
    return false;
  }
}

function notRouted(event: FeedEvent | undefined, engagementId: string, error: string): void {
  log.info('OpenTrain event not routed: no running engagement', {
    eventId: event?.id,
    type: event?.type,
    engagementId,
    error,
  });
}
