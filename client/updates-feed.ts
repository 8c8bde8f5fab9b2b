import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { TASK_QUEUE, UPDATES_FEED_WORKFLOW_ID } from '../domain/ids';
import type { UpdatesFeedInput, updatesFeedWorkflow } from '../workflows/updates-feed';
import type { FeedEvent } from '../activities/updates-feed';
import { signalDelivery } from '../activities/feed-delivery';
import { guardedQuery } from './guarded-query';
import {
  knownRouteQuery,
  updatesDoorbellSignal,
  updatesFeedStatusQuery,
} from '../workflows/updates-feed-messages';
import type { DoorbellRing, KnownRoute, UpdatesFeedStatus } from '../workflows/updates-feed-messages';

/** Starting, ringing and reading the one updates-feed workflow, for the API process and the local stack. */

const UPDATES_FEED_WORKFLOW_TYPE = 'updatesFeedWorkflow';

export interface FeedSettings {
  /** Used only when the feed is not running yet; a running feed keeps its own settings and cursor. */
  input?: UpdatesFeedInput;
  taskQueue?: string;
}

/** Idempotent: the running feed (and with it the durable cursor) is kept. */
export async function ensureUpdatesFeed(client: Client, settings: FeedSettings = {}): Promise<void> {
  await client.workflow.start<typeof updatesFeedWorkflow>(UPDATES_FEED_WORKFLOW_TYPE, {
    workflowId: UPDATES_FEED_WORKFLOW_ID,
    taskQueue: settings.taskQueue ?? TASK_QUEUE,
    args: [settings.input ?? {}],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}

export function readFeedStatus(client: Client): Promise<UpdatesFeedStatus> {
  return guardedQuery(client.workflow.getHandle(UPDATES_FEED_WORKFLOW_ID), updatesFeedStatusQuery);
}

/**
 * The webhook's doorbell: signal-with-start, so the feed exists even if nobody started it. Rings that arrive while
 * one is being delivered collapse into one more ring (their routed-ahead events joined; a poll if any asked for
 * one) — the feed reads everything new on each poll anyway.
 */
export class Doorbell {
  private inFlight: Promise<void> | undefined;
  private pending: DoorbellRing | undefined;

  constructor(
    private readonly client: Client,
    private readonly settings: FeedSettings = {},
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  ring(ring: DoorbellRing = {}): Promise<void> {
    this.pending = this.pending ? collapse(this.pending, ring) : ring;
    this.inFlight ??= this.deliverPending().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Resolves once no ring is being delivered (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private async deliverPending(): Promise<void> {
    for (let ring = this.pending; ring; ring = this.pending) {
      this.pending = undefined;
      try {
        await this.client.workflow.signalWithStart<typeof updatesFeedWorkflow, [DoorbellRing]>(
          UPDATES_FEED_WORKFLOW_TYPE,
          {
            workflowId: UPDATES_FEED_WORKFLOW_ID,
            taskQueue: this.settings.taskQueue ?? TASK_QUEUE,
            args: [this.settings.input ?? {}],
            signal: updatesDoorbellSignal,
            signalArgs: [ring],
          },
        );
      } catch (err) {
        // The event is still in /updates: the feed's interval poll picks it up (a routed-ahead one is routed
        // again, a repeat its engagement ignores). Nothing is lost, only delayed.
        this.onError(err);
      }
    }
  }
}

function collapse(earlier: DoorbellRing, later: DoorbellRing): DoorbellRing {
  const routedAhead = [...(earlier.routedAhead ?? []), ...(later.routedAhead ?? [])];
  return {
    deliveryId: later.deliveryId ?? earlier.deliveryId,
    ...(routedAhead.length > 0 ? { routedAhead } : {}),
    ...(earlier.poll === false && later.poll === false ? { poll: false } : {}),
  };
}

/**
 * A verified webhook delivery. If the feed knows the event's engagement without a read, the event is signalled to
 * it at once, exactly as the feed would route it, and the ring tells the feed so: no poll now, and no second
 * delivery when the feed's interval poll reads the event from `/updates` (the ledger, which still sees every
 * event). An unknown route, a feed or engagement that is not there, or a body that is not an event rings for a
 * poll now. The engagement acts only on what it then reads from OpenTrain, so a forged or stale event that passed
 * the signature check still cannot cause a wrong action.
 */
export async function routeVerifiedDelivery(
  client: Client,
  doorbell: Doorbell,
  deliveryId: string | undefined,
  event: FeedEvent | undefined,
  /** Told why a known route could not be taken (the poll then routes the event); must not throw. */
  onMiss: (err: unknown) => void = () => undefined,
  routeWaitMs = KNOWN_ROUTE_WAIT_MS,
): Promise<void> {
  if (!event) return doorbell.ring({ deliveryId });
  const asked = knownRoute(client, event).catch((err: unknown) => {
    onMiss(err);
    return null;
  });
  // A late answer is dropped: the ring below has asked the feed to poll, and the feed routes the event itself.
  const route = await Promise.race([asked, sleep(routeWaitMs, LATE, { ref: false })]);
  if (route === LATE) onMiss(new Error(`the feed did not name a route within ${routeWaitMs} ms`));
  if (!route || route === LATE) return doorbell.ring({ deliveryId });
  const { delivery } = route;
  if (!delivery) return doorbell.ring({ deliveryId, poll: false });
  try {
    await signalDelivery(client, delivery);
  } catch (err) {
    onMiss(err);
    return doorbell.ring({ deliveryId });
  }
  return doorbell.ring({ deliveryId, routedAhead: [event], poll: false });
}

/**
 * How long a delivery waits for the feed to name its route. The answer takes milliseconds, but about one query in
 * ten waited 1.6–2 s on the server while the feed had no workflow task in flight (bench, round 4); past this the
 * ring asks for a poll, which routes the event in about the same time the answer would have taken.
 */
export const KNOWN_ROUTE_WAIT_MS = 250;
const LATE = Symbol('late');

function knownRoute(client: Client, event: FeedEvent): Promise<KnownRoute | null> {
  return guardedQuery(client.workflow.getHandle(UPDATES_FEED_WORKFLOW_ID), knownRouteQuery, event);
}
