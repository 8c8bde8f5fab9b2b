import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../schemas';

/**
 * Temporal's remote codec protocol (samples-go `codec-server/protocol.md`): `POST /codec/encode` and
 * `POST /codec/decode` take and answer `{ payloads: [...] }`, Payloads in protobuf JSON (metadata values and data in
 * base64). The Temporal UI ("Codec Server endpoint" = `http://<api>/codec`) and `temporal … --codec-endpoint
 * http://<api>/codec --codec-auth "Bearer <ENGAGEMENTS_API_TOKEN>"` call it. Both routes sit behind the API's bearer
 * check; the UI reaches them from its own origin, so CORS (see {@link codecCors}) answers the browser's preflight.
 */
const base64 = z.base64({ error: 'must be base64' });
const payloadJson = z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() });
const payloadsBody = z.object({ payloads: z.array(payloadJson) });
type PayloadJson = z.infer<typeof payloadJson>;

export const CODEC_PREFIX = '/codec/';

function fromJson(json: PayloadJson): Payload {
  return {
    metadata: Object.fromEntries(
      Object.entries(json.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
    ),
    data: Buffer.from(json.data ?? '', 'base64'),
  };
}

function toJson(payload: Payload): PayloadJson {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([key, value]) => [
        key,
        Buffer.from(value).toString('base64'),
      ]),
    ),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}

export function codecRoutes(codec: PayloadCodec): FastifyPluginAsyncZod {
  return async (app) => {
    for (const direction of ['encode', 'decode'] as const) {
      app.post(
        `${CODEC_PREFIX}${direction}`,
        {
          schema: {
            tags: ['codec'],
            summary: `Temporal remote codec: ${direction} payloads (for the Temporal UI and CLI)`,
            security: [{ bearerAuth: [] }],
            body: payloadsBody,
            response: { 200: payloadsBody, 400: errorBodySchema, 401: errorBodySchema },
          },
        },
        async (request) => {
          const payloads = request.body.payloads.map(fromJson);
          const coded = await (direction === 'encode' ? codec.encode(payloads) : codec.decode(payloads));
          return { payloads: coded.map(toJson) };
        },
      );
    }
  };
}

/**
 * CORS for the codec routes only, registered before the bearer check: the browser's preflight (OPTIONS, no
 * credentials) is answered here, and every codec answer to an allowed origin carries the headers the UI needs —
 * its request headers (`Authorization` when "pass access token" is on, `Content-Type`, `X-Namespace`) and
 * credentials (its "include cross-origin credentials" option). Other origins get no CORS headers at all.
 */
export function codecCors(app: FastifyInstance, allowedOrigins: readonly string[]): void {
  const allowed = new Set(allowedOrigins);
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith(CODEC_PREFIX)) return;
    const origin = request.headers.origin;
    if (origin && allowed.has(origin)) {
      reply
        .header('access-control-allow-origin', origin)
        .header('access-control-allow-credentials', 'true')
        .header('vary', 'Origin');
    }
    if (request.method === 'OPTIONS') {
      await reply
        .code(204)
        .header('access-control-allow-methods', 'POST, OPTIONS')
        .header('access-control-allow-headers', 'authorization, content-type, x-namespace')
        .header('access-control-max-age', '600')
        .send();
      return reply;
    }
    return undefined;
  });
}
