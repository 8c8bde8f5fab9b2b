import { payloadCodecFromConfig } from '../../codec/data-converter';
import { processConfig } from '../../config';
import { createLogger } from '../../observability/logger';
import { OpenTrainClient, clientOptionsFromConfig } from '../../opentrain';
import { connectEngagementClient, temporalSettingsFromConfig } from '../connection';
import { startApiService } from './serve';

/** `npm run api`: the HTTP API + webhook receiver, configured by the environment (config/variables.ts). */
async function main(): Promise<void> {
  const config = processConfig('api');
  const logger = createLogger({ level: config.LOG_LEVEL, service: 'api' });
  const { client, close: closeTemporal } = await connectEngagementClient(temporalSettingsFromConfig(config));
  const webhooksOn = Boolean(config.PUBLIC_WEBHOOK_URL || config.OPENTRAIN_WEBHOOK_SECRET);
  // The OpenTrain token is needed here only to register the webhook and to read whole threads (`GET
  // /engagements/:id/messages`); without it both stay off and the token lives in the worker alone.
  const tokenHere = Boolean(config.OPENTRAIN_API_TOKEN || config.OT_API_TOKEN);
  const openTrain =
    config.PUBLIC_WEBHOOK_URL || tokenHere ? new OpenTrainClient(clientOptionsFromConfig(config)) : undefined;
  const codec = payloadCodecFromConfig(config);
  const api = await startApiService({
    temporal: client,
    // The configuration has required it for the 'api' role.
    apiToken: config.ENGAGEMENTS_API_TOKEN!,
    host: config.HOST,
    port: config.PORT,
    feed: { input: { pollIntervalMs: config.UPDATES_POLL_INTERVAL_MS } },
    webhook: webhooksOn
      ? { secret: config.OPENTRAIN_WEBHOOK_SECRET, publicUrl: config.PUBLIC_WEBHOOK_URL, openTrain }
      : undefined,
    mcpAllowedHosts: config.MCP_ALLOWED_HOSTS,
    loggerInstance: logger,
    metrics: true,
    codec: codec && { codec, corsOrigins: config.CODEC_CORS_ORIGINS },
    threadReader: openTrain,
  });
  logger.info(
    { url: api.url, openapi: `${api.url}/openapi.json`, codec: codec ? `${api.url}/codec` : undefined },
    'engagements API listening',
  );

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
          logger.error({ err }, 'API did not stop cleanly');
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
