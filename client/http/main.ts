import { z } from 'zod';
import { parseInput } from '../../domain/validation';
import { OpenTrainClient } from '../../opentrain';
import { connectEngagementClient, temporalSettingsFromEnv } from '../connection';
import { startApiService } from './serve';

/** `npm run api`: the HTTP API + webhook receiver, configured from the environment. */
const envSchema = z.object({
  ENGAGEMENTS_API_TOKEN: z
    .string({ error: 'set ENGAGEMENTS_API_TOKEN (at least 16 characters)' })
    .min(16, { error: 'set ENGAGEMENTS_API_TOKEN (at least 16 characters)' }),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  OPENTRAIN_WEBHOOK_SECRET: z.string().min(1).optional(),
  PUBLIC_WEBHOOK_URL: z.url().optional(),
  UPDATES_POLL_INTERVAL_MS: z.coerce.number().int().positive().optional(),
  LOG_LEVEL: z.string().default('info'),
  /** Comma-separated host names `/mcp` serves besides localhost (DNS-rebinding protection). */
  MCP_ALLOWED_HOSTS: z
    .string()
    .transform((hosts) =>
      hosts
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean),
    )
    .optional(),
});

async function main(): Promise<void> {
  // Compose passes unset variables as empty strings; treat them as unset.
  const env = parseInput(
    envSchema,
    Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== '')),
    'environment',
  );
  const { client, close: closeTemporal } = await connectEngagementClient(temporalSettingsFromEnv());
  const webhooksOn = Boolean(env.PUBLIC_WEBHOOK_URL || env.OPENTRAIN_WEBHOOK_SECRET);
  // The OpenTrain token is needed here only to register the webhook and to read whole threads (`GET
  // /engagements/:id/messages`); without it both stay off and the token lives in the worker alone.
  const tokenHere = Boolean(process.env.OPENTRAIN_API_TOKEN || process.env.OT_API_TOKEN);
  const openTrain = env.PUBLIC_WEBHOOK_URL || tokenHere ? OpenTrainClient.fromEnv() : undefined;
  const api = await startApiService({
    temporal: client,
    apiToken: env.ENGAGEMENTS_API_TOKEN,
    host: env.HOST,
    port: env.PORT,
    feed: { input: { pollIntervalMs: env.UPDATES_POLL_INTERVAL_MS } },
    webhook: webhooksOn
      ? { secret: env.OPENTRAIN_WEBHOOK_SECRET, publicUrl: env.PUBLIC_WEBHOOK_URL, openTrain }
      : undefined,
    mcpAllowedHosts: env.MCP_ALLOWED_HOSTS,
    logger: { level: env.LOG_LEVEL },
    threadReader: openTrain,
  });
  console.log(`Engagements API on ${api.url} (OpenAPI at ${api.url}/openapi.json)`);

  const stop = async () => {
    await api.close();
    await openTrain?.close();
    await closeTemporal();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stop().then(
        () => process.exit(0),
        (err: unknown) => {
          console.error('API did not stop cleanly:', err);
          process.exit(1);
        },
      );
    });
  }
}

main().catch((err: unknown) => {
  console.error(`engagements api: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
