import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import type { DestinationStream } from 'pino';
import { notifierFromConfig } from '../activities';
import { dataConverterFromConfig } from '../codec/data-converter';
import { loadConfig } from '../config';
import { createLogger } from '../observability/logger';
import { installTemporalRuntime } from '../observability/temporal-runtime';
import { createEngagementWorker } from '../worker/create-worker';
import { startDevServer, temporalIsUp } from './dev-server';
import { runUntilSignal } from './run-until-signal';
import { runStops, startApiSide, startOpenTrainSide } from './stack-parts';
import type { Stops } from './stack-parts';
import { describeStack, readStackInfo, writeStackInfo } from './stack-info';
import type { LocalStackInfo } from './stack-info';

export { describeStack, readStackInfo, STACK_FILE, temporalSettingsOfStack } from './stack-info';
export type { LocalStackInfo } from './stack-info';

/**
 * `npm start`: the whole product on one machine — Temporal dev server (SQLite under .data/), the OpenTrain sandbox
 * unless OPENTRAIN_API_TOKEN is set, the worker, the HTTP API with the webhook receiver, and the updates feed.
 * Everything a second start needs (sandbox state and token, API token, webhook secret) is kept under .data/.
 */

export interface LocalStackOptions {
  dataDir?: string;
  temporalPort?: number;
  uiPort?: number;
  apiPort?: number;
  /** 0 = random. */
  sandboxPort?: number;
  updatesPollIntervalMs?: number;
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Where the JSON log lines go (default stdout). */
  logDestination?: DestinationStream;
}

export interface LocalStack {
  info: LocalStackInfo;
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const env = options.env ?? process.env;
  const config = loadConfig(env, 'start');
  const log = options.log ?? ((line: string) => console.log(line));
  const dataDir = resolve(options.dataDir ?? '.data');
  mkdirSync(dataDir, { recursive: true });
  const saved = readStackInfo(dataDir);
  const stops: Stops = [];
  const stop = () => runStops(stops, log);

  try {
    // 1. Temporal: an explicit address, a dev server already listening, or our own.
    const namespace = config.TEMPORAL_NAMESPACE;
    // Set explicitly, TEMPORAL_ADDRESS is used as it is; otherwise our port, where a dev server may already run.
    const explicitAddress = Boolean(env.TEMPORAL_ADDRESS?.trim());
    let temporalAddress = explicitAddress
      ? config.TEMPORAL_ADDRESS
      : `127.0.0.1:${options.temporalPort ?? 7233}`;
    let temporalUiUrl: string | undefined;
    if (explicitAddress || (await temporalIsUp(temporalAddress))) {
      log(`Using the Temporal server at ${temporalAddress}`);
    } else {
      const server = await startDevServer({
        dbFile: join(dataDir, 'temporal.db'),
        port: options.temporalPort ?? 7233,
        uiPort: options.uiPort ?? 8233,
        namespace,
      });
      stops.push(() => server.stop());
      temporalAddress = server.address;
      temporalUiUrl = server.uiUrl;
    }

    // 2. OpenTrain: the real API (or a sandbox started on its own) when a token is given, else our sandbox.
    const openTrainSide = await startOpenTrainSide({
      config,
      dataDir,
      saved,
      sandboxPort: options.sandboxPort,
      stops,
    });
    const { openTrain, sandboxUrl, sandboxToken } = openTrainSide;

    // 3. The worker.
    const nativeConnection = await NativeConnection.connect({ address: temporalAddress });
    const worker = await createEngagementWorker({
      connection: nativeConnection,
      namespace,
      openTrain,
      notifier: notifierFromConfig(config),
      dataConverter: dataConverterFromConfig(config),
      maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    });
    const workerRun = worker.run();
    stops.push(async () => {
      // The SDK's own SIGINT handler may already have begun the shutdown.
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun;
      await nativeConnection.close();
    });

    // 4. The HTTP API, the webhook receiver and the updates feed.
    const api = await startApiSide({
      config,
      saved,
      temporalAddress,
      namespace,
      openTrain,
      sandboxUrl,
      apiPort: options.apiPort,
      updatesPollIntervalMs: options.updatesPollIntervalMs,
      logDestination: options.logDestination,
      stops,
    });

    const info: LocalStackInfo = {
      temporalAddress,
      namespace,
      temporalUiUrl,
      apiUrl: api.apiUrl,
      apiToken: api.apiToken,
      sandboxUrl,
      sandboxToken,
      webhookSecret: api.webhookSecret,
    };
    writeStackInfo(dataDir, info);
    return { info, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function main(): Promise<void> {
  const config = loadConfig(process.env, 'start');
  // The SDK's and core's logs as JSON lines too, quiet (warnings) unless LOG_LEVEL says otherwise.
  await installTemporalRuntime({
    logger: createLogger({ level: config.LOG_LEVEL ?? 'warn', service: 'worker' }),
    sdkMetrics: false,
  });
  runUntilSignal(
    'npm start',
    () => startLocalStack(),
    (info, proposalId) => describeStack(info, proposalId),
  );
}

if (require.main === module)
  main().catch((err: unknown) => {
    console.error(`npm start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
