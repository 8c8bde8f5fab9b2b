import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { EngagementPhase } from '../../domain/search-attributes';
import { createApiMetrics } from '../../observability/metrics';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { OpenTrainClient } from '../../opentrain';
import { EngagementClient, type ThreadReader } from '../engagement-client';
import { Doorbell, ensureUpdatesFeed, routeVerifiedDelivery } from '../updates-feed';
import type { FeedSettings } from '../updates-feed';
import { buildApi } from './api';
import { ensureWebhookSubscription } from './webhook-subscription';

export interface ApiServiceOptions {
  temporal: Client;
  apiToken: string;
  host?: string;
  port?: number;
  feed?: FeedSettings;
  /** Leave out entirely to run with webhooks off: the feed's interval poll alone keeps engagements in sync. */
  webhook?: {
    /** OPENTRAIN_WEBHOOK_SECRET, or one kept from an earlier registration. */
    secret?: string;
    /**
     * PUBLIC_WEBHOOK_URL: register (or reuse) the subscription at start; needs `openTrain`. A function receives the
     * URL the API listens on (for a local OpenTrain sandbox delivering to a random port).
     */
    publicUrl?: string | ((listeningUrl: string) => string);
    openTrain?: Pick<OpenTrainClient, 'listWebhooks' | 'createWebhook' | 'deleteWebhook'>;
    /** Called with a newly created secret, e.g. to keep it in a 0600 file for the next start. */
    onNewSecret?: (secret: string) => void | Promise<void>;
  };
  /** Host names `/mcp` answers besides the loopback ones (MCP_ALLOWED_HOSTS). */
  mcpAllowedHosts?: readonly string[];
  logger?: FastifyServerOptions['logger'];
  /** Our pino logger (observability/logger.ts); replaces `logger`. */
  loggerInstance?: FastifyServerOptions['loggerInstance'];
  /** Serve `/metrics`: webhook deliveries and engagements by phase. */
  metrics?: boolean;
  /** The remote codec endpoint for the Temporal UI/CLI (when payloads are encrypted). */
  codec?: { codec: PayloadCodec; corsOrigins: readonly string[] };
  /** For `GET /engagements/:id/messages` (the whole thread, read from OpenTrain); refused without it. */
  threadReader?: ThreadReader;
}

export interface RunningApi {
  url: string;
  app: FastifyInstance;
  doorbell: Doorbell;
  close(): Promise<void>;
}

/**
 * The API process: makes sure the updates feed runs, serves the routes and the webhook receiver, and registers the
 * webhook subscription when a public URL is configured.
 */
export async function startApiService(options: ApiServiceOptions): Promise<RunningApi> {
  await ensureUpdatesFeed(options.temporal, options.feed);
  let webhookSecret = options.webhook?.secret;
  const engagements = new EngagementClient(
    options.temporal,
    options.feed?.taskQueue,
    'http',
    options.threadReader,
  );
  const { temporal } = options;
  const metrics = options.metrics
    ? createApiMetrics(async (phase) => {
        const query = `WorkflowType = "engagementWorkflow" AND ${EngagementPhase.name} = "${phase}"`;
        return (await temporal.workflow.count(query)).count;
      })
    : undefined;
  const app = await buildApi({
    engagements,
    mcp: { engagements: engagements.forDoor('mcp'), allowedHosts: options.mcpAllowedHosts },
    apiToken: options.apiToken,
    logger: options.logger,
    loggerInstance: options.loggerInstance,
    metrics,
    codec: options.codec,
    webhook: options.webhook && {
      secret: () => webhookSecret,
      ringDoorbell: (deliveryId, event) =>
        void routeVerifiedDelivery(options.temporal, doorbell, deliveryId, event, (err) =>
          app.log.info(
            { err, deliveryId, eventId: event?.id },
            'webhook route missed; the feed routes the event',
          ),
        ),
      onDelivery: metrics && ((outcome, reason) => metrics.webhookDeliveries.inc({ outcome, reason })),
    },
  });
  const doorbell = new Doorbell(options.temporal, options.feed, (err) =>
    app.log.warn({ err }, 'doorbell not delivered; the feed will see the event at its next interval poll'),
  );
  const url = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 3000 });

  const { openTrain } = options.webhook ?? {};
  const configured = options.webhook?.publicUrl;
  const publicUrl = typeof configured === 'function' ? configured(url) : configured;
  if (publicUrl) {
    if (!openTrain)
      throw new Error('PUBLIC_WEBHOOK_URL needs OpenTrain credentials to register the subscription');
    const subscription = await ensureWebhookSubscription({
      openTrain,
      url: publicUrl,
      knownSecret: webhookSecret,
    });
    webhookSecret = subscription.secret;
    if (!subscription.reused) await options.webhook?.onNewSecret?.(subscription.secret);
    app.log.info(
      { webhookId: subscription.webhookId, reused: subscription.reused, url: publicUrl },
      'webhook subscription ready',
    );
  }

  return {
    url,
    app,
    doorbell,
    close: async () => {
      await app.close();
      await doorbell.idle();
    },
  };
}
