import type { Client } from '@temporalio/client';
import { TASK_QUEUE, UPDATES_FEED_WORKFLOW_ID } from '../domain/ids';
import type { UpdatesFeedInput, updatesFeedWorkflow } from '../workflows/updates-feed';
import { approvalResolvedSignal } from '../workflows/messages';
import { guardedQuery } from './guarded-query';
import {
  awaitedApprovalQuery,
  updatesDoorbellSignal,
  updatesFeedStatusQuery,
} from '../workflows/updates-feed-messages';
import type { UpdatesFeedStatus } from '../workflows/updates-feed-messages';

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
 * one is being delivered collapse into one more ring — the feed reads everything new on each poll anyway.
 */
export class Doorbell {
  private inFlight: Promise<void> | undefined;
  private rungAgain = false;

  constructor(
    private readonly client: Client,
    private readonly settings: FeedSettings = {},
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  ring(deliveryId?: string): Promise<void> {
    if (this.inFlight) {
      this.rungAgain = true;
      return this.inFlight;
    }
    this.inFlight = this.deliver(deliveryId).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Resolves once no ring is being delivered (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private async deliver(deliveryId: string | undefined): Promise<void> {
    do {
      this.rungAgain = false;
      try {
        await this.client.workflow.signalWithStart<typeof updatesFeedWorkflow, [{ deliveryId?: string }]>(
          UPDATES_FEED_WORKFLOW_TYPE,
          {
            workflowId: UPDATES_FEED_WORKFLOW_ID,
            taskQueue: this.settings.taskQueue ?? TASK_QUEUE,
            args: [this.settings.input ?? {}],
            signal: updatesDoorbellSignal,
            signalArgs: [{ deliveryId }],
          },
        );
      } catch (err) {
        // The event is still in /updates: the feed's interval poll picks it up. Nothing is lost, only delayed.
        this.onError(err);
      }
    } while (this.rungAgain);
  }
}

/**
 * A verified webhook's express lane for a decided approval: the engagement that told the feed it awaits the approval
 * is signalled at once, skipping the feed's poll. Only a wake-up — the engagement reads the approval from OpenTrain
 * before it acts, and the feed still routes the same event from `/updates` (a repeat the engagement ignores).
 * Returns whether an engagement was told; false (unknown approval, feed or engagement not there) leaves it to the feed.
 */
export async function expressApprovalDecision(
  client: Client,
  decided: { approvalId: string; status: string },
): Promise<boolean> {
  const engagementId = await guardedQuery(
    client.workflow.getHandle(UPDATES_FEED_WORKFLOW_ID),
    awaitedApprovalQuery,
    decided.approvalId,
  );
  if (!engagementId) return false;
  await client.workflow.getHandle(engagementId).signal(approvalResolvedSignal, decided);
  return true;
}
