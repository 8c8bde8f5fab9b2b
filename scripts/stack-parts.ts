import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import type { DestinationStream } from 'pino';
import { startApiService } from '../client/http/serve';
import { dataConverterFromConfig, payloadCodecFromConfig } from '../codec/data-converter';
import { openTrainToken, type Config } from '../config';
import { createLogger } from '../observability/logger';
import { clientOptionsFromConfig, OpenTrainClient } from '../opentrain';
import { SandboxControl } from '../sandbox/control-client';
import { startSandbox } from '../sandbox/server';
import type { LocalStackInfo } from './stack-info';
import { connectTemporal } from '../client/temporal-connection';

/**
 * The pieces `npm start` and `npm run cluster` share: the OpenTrain side (the real API or our sandbox) and the HTTP
 * API with the webhook receiver and the updates feed. Each registers its own stop in `stops` (run in reverse).
 */

export type Stops = (() => Promise<void>)[];

export interface OpenTrainSide {
  openTrain: OpenTrainClient;
  /** The sandbox's base URL and account token; only when no OpenTrain token is configured. */
  sandboxUrl?: string;
  sandboxToken?: string;
  /** What a worker process needs to reach the same OpenTrain (OPENTRAIN_API_BASE_URL / OPENTRAIN_API_TOKEN). */
  workerEnv: NodeJS.ProcessEnv;
}

/** The real API (or a sandbox started on its own) when a token is given, else our sandbox with a saved account. */
export async function startOpenTrainSide(options: {
  config: Config;
  dataDir: string;
  saved: Partial<LocalStackInfo>;
  sandboxPort?: number;
  stops: Stops;
}): Promise<OpenTrainSide> {
  const { config, dataDir, saved, stops } = options;
  if (openTrainToken(config)) {
    const openTrain = new OpenTrainClient(clientOptionsFromConfig(config));
    stops.push(() => openTrain.close());
    return { openTrain, workerEnv: {} };
  }
  const sandbox = await startSandbox({
    port: options.sandboxPort ?? config.SANDBOX_PORT,
    stateFile: join(dataDir, 'sandbox-state.json'),
  });
  stops.push(() => sandbox.close());
  const sandboxToken = saved.sandboxToken ?? (await new SandboxControl(sandbox.url).createAccount()).token;
  const openTrain = new OpenTrainClient({ baseUrl: sandbox.apiBaseUrl, token: sandboxToken });
  stops.push(() => openTrain.close());
  return {
    openTrain,
    sandboxUrl: sandbox.url,
    sandboxToken,
    workerEnv: { OPENTRAIN_API_BASE_URL: sandbox.apiBaseUrl, OPENTRAIN_API_TOKEN: sandboxToken },
  };
}

export interface ApiSide {
  apiUrl: string;
  apiToken: string;
  webhookSecret?: string;
}

/** The HTTP API, the webhook receiver and the updates feed, on its own client connection. */
export async function startApiSide(options: {
  config: Config;
  saved: Partial<LocalStackInfo>;
  temporalAddress: string;
  namespace: string;
  openTrain: OpenTrainClient;
  sandboxUrl?: string;
  apiPort?: number;
  updatesPollIntervalMs?: number;
  /** Where the API's JSON log lines go (default stdout). */
  logDestination?: DestinationStream;
  stops: Stops;
}): Promise<ApiSide> {
  const { config, saved, stops } = options;
  const connection = await connectTemporal({ address: options.temporalAddress });
  stops.push(() => connection.close());
  const temporal = new Client({
    connection,
    namespace: options.namespace,
    dataConverter: dataConverterFromConfig(config),
  });
  const apiToken = config.ENGAGEMENTS_API_TOKEN || saved.apiToken || randomBytes(24).toString('base64url');
  // With the sandbox the webhook can point at ourselves (http is allowed for 127.0.0.1); with the real API
  // only a configured public URL can receive deliveries.
  const publicUrl =
    config.PUBLIC_WEBHOOK_URL ||
    (options.sandboxUrl ? (listening: string) => `${listening}/webhooks/opentrain` : undefined);
  let webhookSecret = config.OPENTRAIN_WEBHOOK_SECRET || saved.webhookSecret;
  const codec = payloadCodecFromConfig(config);
  const api = await startApiService({
    temporal,
    apiToken,
    host: config.HOST,
    port: options.apiPort ?? config.PORT,
    feed: {
      input: { pollIntervalMs: options.updatesPollIntervalMs ?? config.UPDATES_POLL_INTERVAL_MS },
    },
    // Warnings only by default: rejected webhook deliveries and undelivered doorbells must be seen.
    loggerInstance: createLogger({
      level: config.LOG_LEVEL ?? 'warn',
      service: 'api',
      destination: options.logDestination,
    }),
    metrics: true,
    codec: codec && { codec, corsOrigins: config.CODEC_CORS_ORIGINS },
    threadReader: options.openTrain,
    webhook:
      publicUrl || webhookSecret
        ? {
            secret: webhookSecret,
            publicUrl,
            openTrain: options.openTrain,
            onNewSecret: (secret) => {
              webhookSecret = secret;
            },
          }
        : undefined,
  });
  stops.push(() => api.close());
  return {
    apiUrl: api.url,
    apiToken,
    get webhookSecret() {
      return publicUrl || webhookSecret ? webhookSecret : undefined;
    },
  };
}

/** Runs the registered stops in reverse order; a failing one is logged and the rest still run. */
export async function runStops(stops: Stops, log: (line: string) => void): Promise<void> {
  for (const fn of stops.splice(0).reverse())
    await fn().catch((err: unknown) => log(`while stopping: ${String(err)}`));
}
