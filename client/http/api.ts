import fastifySwagger from '@fastify/swagger';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { EngagementOperations } from '../engagement-client';
import { bearerTokenMatches } from './bearer-auth';
import { edgeServerOptions, hardenInputs } from './edges';
import { handleApiError } from './error-handler';
import { useIdempotencyKeys } from './idempotency';
import { engagementRoutes } from './routes/engagements';
import { messageRoutes } from './routes/messages';
import { mcpRoutes } from './routes/mcp';
import type { McpRouteOptions } from './routes/mcp';
import { webhookRoutes } from './routes/webhooks';
import type { WebhookReceiverOptions } from './routes/webhooks';
import { codecCors, codecRoutes } from './routes/codec';
import type { PayloadCodec } from '@temporalio/common';
import type { ApiMetrics } from '../../observability/metrics';

export interface ApiOptions {
  engagements: EngagementOperations;
  /** ENGAGEMENTS_API_TOKEN: required on every route but /healthz and the webhook. */
  apiToken: string;
  /** Streamable HTTP MCP at `/mcp`; without it the route does not exist. */
  mcp?: McpRouteOptions;
  /** The OpenTrain webhook receiver; without it the route does not exist. */
  webhook?: WebhookReceiverOptions;
  logger?: FastifyServerOptions['logger'];
  /** A pino instance (observability/logger.ts) to log with, instead of fastify's own from `logger`. */
  loggerInstance?: FastifyServerOptions['loggerInstance'];
  /** Serves `/metrics` (no bearer: Prometheus must not hold a token that moves money; only counts are exposed). */
  metrics?: ApiMetrics;
  /** The remote codec endpoint, when payloads are encrypted; CORS for the Temporal UI's origins. */
  codec?: { codec: PayloadCodec; corsOrigins: readonly string[] };
}

/**
 * Routes that carry their own authentication (the webhook's signature) or none (the health check, and the metrics,
 * which hold counts only).
 */
const PUBLIC_ROUTES = new Set(['/healthz', '/webhooks/opentrain', '/metrics']);

/** The HTTP API as a fastify instance, ready for `listen()` or, in tests, `inject()`. */
export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  if (!options.apiToken) throw new Error('buildApi needs an API token (ENGAGEMENTS_API_TOKEN)');
  const app = Fastify({
    ...edgeServerOptions,
    ...(options.loggerInstance
      ? { loggerInstance: options.loggerInstance }
      : { logger: options.logger ?? false }),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleApiError);
  hardenInputs(app);

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'OpenTrain engagements',
        version: '0.1.0',
        description:
          'Start and drive hires of human AI trainers on OpenTrain; every money move is co-signed.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });

  if (options.codec) codecCors(app, options.codec.corsOrigins);
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url && PUBLIC_ROUTES.has(request.routeOptions.url)) return;
    if (!bearerTokenMatches(request.headers.authorization, options.apiToken)) {
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: 'Missing or wrong bearer token', code: 'UNAUTHORIZED' });
    }
  });

  app.get(
    '/healthz',
    { schema: { tags: ['health'], response: { 200: z.object({ ok: z.literal(true) }) } } },
    async () => ({ ok: true as const }),
  );
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  const { metrics } = options;
  if (metrics) {
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
    );
  }
  if (options.codec) await app.register(codecRoutes(options.codec.codec));

  // Its own scope, so the Idempotency-Key hooks cover the engagement routes and not the webhook (which dedupes
  // by delivery id).
  await app.register(async (scope) => {
    useIdempotencyKeys(scope);
    await scope.register(engagementRoutes(options.engagements));
    await scope.register(messageRoutes(options.engagements));
  });
  if (options.mcp) await app.register(mcpRoutes(options.mcp));
  if (options.webhook) await app.register(webhookRoutes(options.webhook));
  await app.ready();
  return app;
}
