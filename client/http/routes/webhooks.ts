import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { slimEvent, type FeedEvent } from '../../../activities/updates-feed';
import { platformEventSchema, verifyWebhookSignature } from '../../../opentrain';
import { DeliveryDedupe } from '../delivery-dedupe';
import { errorBodySchema } from '../schemas';

export interface WebhookReceiverOptions {
  /** Read at each delivery: the secret may arrive after start (from the subscription's registration). */
  secret: () => string | undefined;
  /**
   * A verified delivery, with its event when the body is one: route it to its engagement or ring the updates feed
   * to poll (see routeVerifiedDelivery); must not throw (failures only delay the event to the next poll).
   */
  ringDoorbell: (deliveryId: string | undefined, event?: FeedEvent) => void;
  toleranceSec?: number;
  dedupeCapacity?: number;
  /** Told every delivery's fate (the API's metrics): accepted (new, duplicate) or rejected (why). */
  onDelivery?: (outcome: 'accepted' | 'rejected', reason: string) => void;
}

/**
 * [GAP] a 4xx counts toward OpenTrain's auto-disable, yet "a 400 on bad signature is acceptable". We answer
 * 400 to forged or stale deliveries (and log them): forgeries do not come from OpenTrain, so they cannot count
 * against our subscription; a genuine delivery failing verification means a wrong secret or a skewed clock, which
 * an operator must fix — and even if the subscription is then disabled, the feed's interval poll of /updates loses
 * nothing.
 */
const REJECTED_DELIVERY_STATUS = 400;

/**
 * `POST /webhooks/opentrain`: the doorbell. It checks the signature over the raw bytes, drops repeats of a
 * delivery id, answers at once, and only then hands the verified event on. Nothing here acts on it: its engagement
 * (told directly when the feed knows which, else by the feed after a poll) reads OpenTrain before it acts, and the
 * feed still reads every event from `/updates`, so forged, stale, duplicated or out-of-order deliveries can never
 * cause a wrong action or a lost one.
 */
export function webhookRoutes(options: WebhookReceiverOptions): FastifyPluginAsyncZod {
  const dedupe = new DeliveryDedupe(options.dedupeCapacity);
  return async (app) => {
    // The signature covers the exact bytes, so this route keeps the body raw instead of parsing JSON.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1_048_576 }, (_request, body, done) =>
      done(null, body),
    );

    app.post(
      '/webhooks/opentrain',
      {
        schema: {
          tags: ['webhooks'],
          summary: 'OpenTrain webhook deliveries (signed; no bearer token)',
          response: {
            200: z.object({ duplicate: z.literal(true) }),
            202: z.object({ accepted: z.literal(true) }),
            400: errorBodySchema,
            503: errorBodySchema,
          },
        },
      },
      async (request, reply) => {
        const deliveryId = header(request.headers['x-opentrain-delivery']);
        const secret = options.secret();
        if (!secret) {
          request.log.warn({ deliveryId }, 'OpenTrain webhook received but no webhook secret is configured');
          options.onDelivery?.('rejected', 'not_configured');
          return reply.code(503).send({ error: 'Webhook secret not configured', code: 'NOT_CONFIGURED' });
        }
        const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const verdict = verifyWebhookSignature({
          rawBody,
          header: header(request.headers['x-opentrain-signature']),
          secret,
          // Unset: the client's documented default (300 s, both directions; opentrain/gaps.ts).
          toleranceSec: options.toleranceSec,
        });
        if (!verdict.ok) {
          request.log.warn({ deliveryId, reason: verdict.reason }, 'rejected OpenTrain webhook delivery');
          options.onDelivery?.('rejected', verdict.reason);
          return reply
            .code(REJECTED_DELIVERY_STATUS)
            .send({ error: `Signature check failed: ${verdict.reason}`, code: 'BAD_SIGNATURE' });
        }
        // Dedupe only verified deliveries, so forgeries cannot poison the cache with a real delivery id.
        if (deliveryId && !dedupe.firstTime(deliveryId)) {
          options.onDelivery?.('accepted', 'duplicate');
          return reply.code(200).send({ duplicate: true });
        }
        options.onDelivery?.('accepted', 'new');
        await reply.code(202).send({ accepted: true });
        options.ringDoorbell(deliveryId, eventOf(rawBody));
        return reply;
      },
    );
  };
}

/** The delivery's event record, slimmed as the feed reads it from `/updates`; undefined if the body is not one. */
function eventOf(rawBody: Buffer): FeedEvent | undefined {
  try {
    const parsed = platformEventSchema.safeParse(JSON.parse(rawBody.toString('utf8')));
    return parsed.success ? slimEvent(parsed.data) : undefined;
  } catch {
    return undefined;
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
