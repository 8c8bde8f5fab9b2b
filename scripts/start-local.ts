import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { startApiService } from '../client/http/serve';
import { dataConverterFromConfig, payloadCodecFromConfig } from '../codec/data-converter';
import { loadConfig, openTrainToken } from '../config';
import { createLogger } from '../observability/logger';
import { installTemporalRuntime } from '../observability/temporal-runtime';
import { OpenTrainClient, clientOptionsFromConfig } from '../opentrain';
import { SandboxControl } from '../sandbox/control-client';
import { startSandbox } from '../sandbox/server';
import { createEngagementWorker } from '../worker/create-worker';
import { notifierFromConfig } from '../activities';
import type { DestinationStream } from 'pino';
import { startDevServer, temporalIsUp } from './dev-server';

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

/** What a running stack tells its users (and the demo) — written to .data/local-stack.json, mode 0600. */
export interface LocalStackInfo {
  temporalAddress: string;
  namespace: string;
  temporalUiUrl?: string;
  apiUrl: string;
  apiToken: string;
  /** Only when the stack runs the sandbox. */
  sandboxUrl?: string;
  sandboxToken?: string;
  webhookSecret?: string;
}

export interface LocalStack {
  info: LocalStackInfo;
  stop(): Promise<void>;
}

export const STACK_FILE = 'local-stack.json';

export function readStackInfo(dataDir: string): Partial<LocalStackInfo> {
  const file = join(dataDir, STACK_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalStackInfo>) : {};
}

function writeStackInfo(dataDir: string, info: Partial<LocalStackInfo>): void {
  const file = join(dataDir, STACK_FILE);
  writeFileSync(file, JSON.stringify(info, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const env = options.env ?? process.env;
  const config = loadConfig(env, 'start');
  const log = options.log ?? ((line: string) => console.log(line));
  const dataDir = resolve(options.dataDir ?? '.data');
  mkdirSync(dataDir, { recursive: true });
  const saved = readStackInfo(dataDir);
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse())
      await fn().catch((err: unknown) => log(`while stopping: ${String(err)}`));
  };

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
    let openTrain: OpenTrainClient;
    let sandboxUrl: string | undefined;
    let sandboxToken: string | undefined;
    if (openTrainToken(config)) {
      openTrain = new OpenTrainClient(clientOptionsFromConfig(config));
    } else {
      const sandbox = await startSandbox({
        port: options.sandboxPort ?? config.SANDBOX_PORT,
        stateFile: join(dataDir, 'sandbox-state.json'),
      });
      stops.push(() => sandbox.close());
      sandboxUrl = sandbox.url;
      sandboxToken = saved.sandboxToken ?? (await new SandboxControl(sandbox.url).createAccount()).token;
      openTrain = new OpenTrainClient({ baseUrl: sandbox.apiBaseUrl, token: sandboxToken });
    }
    stops.push(() => openTrain.close());

    // 3. The worker.
    const nativeConnection = await NativeConnection.connect({ address: temporalAddress });
    const dataConverter = dataConverterFromConfig(config);
    const worker = await createEngagementWorker({
      connection: nativeConnection,
      namespace,
      openTrain,
      notifier: notifierFromConfig(config),
      dataConverter,
    });
    const workerRun = worker.run();
    stops.push(async () => {
      // The SDK's own SIGINT handler may already have begun the shutdown.
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun;
      await nativeConnection.close();
    });

    // 4. The HTTP API, the webhook receiver and the updates feed.
    const connection = await Connection.connect({ address: temporalAddress });
    stops.push(() => connection.close());
    const temporal = new Client({ connection, namespace, dataConverter });
    const apiToken = config.ENGAGEMENTS_API_TOKEN || saved.apiToken || randomBytes(24).toString('base64url');
    const apiPort = options.apiPort ?? config.PORT;
    const host = config.HOST;
    // With the sandbox the webhook can point at ourselves (http is allowed for 127.0.0.1); with the real API
    // only a configured public URL can receive deliveries.
    const publicUrl =
      config.PUBLIC_WEBHOOK_URL ||
      (sandboxUrl ? (listening: string) => `${listening}/webhooks/opentrain` : undefined);
    let webhookSecret = config.OPENTRAIN_WEBHOOK_SECRET || saved.webhookSecret;
    const codec = payloadCodecFromConfig(config);
    const api = await startApiService({
      temporal,
      apiToken,
      host,
      port: apiPort,
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
      threadReader: openTrain,
      webhook:
        publicUrl || webhookSecret
          ? {
              secret: webhookSecret,
              publicUrl,
              openTrain,
              onNewSecret: (secret) => {
                webhookSecret = secret;
              },
            }
          : undefined,
    });
    stops.push(() => api.close());

    const info: LocalStackInfo = {
      temporalAddress,
      namespace,
      temporalUiUrl,
      apiUrl: api.url,
      apiToken,
      sandboxUrl,
      sandboxToken,
      webhookSecret: publicUrl || webhookSecret ? webhookSecret : undefined,
    };
    writeStackInfo(dataDir, info);
    return { info, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * How to try it, printed once everything is up. The API token stays in the 0600 stack file: the examples read it
 * from there, so it never lands in a terminal's scrollback or a captured log.
 */
export function describeStack(
  info: LocalStackInfo,
  proposalId: string | undefined,
  dataDir = '.data',
): string {
  const stackFile = relative(process.cwd(), join(resolve(dataDir), STACK_FILE)) || STACK_FILE;
  const token = `$(node -p "require('./${stackFile}').apiToken")`;
  const lines = [
    '',
    'OpenTrain engagements — local stack is up',
    `  Temporal      ${info.temporalAddress}${info.temporalUiUrl ? `  (UI ${info.temporalUiUrl})` : ''}`,
    `  HTTP API      ${info.apiUrl}  (OpenAPI ${info.apiUrl}/openapi.json, health ${info.apiUrl}/healthz)`,
    `  API token     in ${stackFile} ("apiToken")`,
  ];
  if (info.sandboxUrl)
    lines.push(`  Sandbox       ${info.sandboxUrl}  (approval pages at ${info.sandboxUrl}/approvals/<id>)`);
  lines.push(
    `  Webhooks      ${info.webhookSecret ? 'on (the feed also polls /updates)' : 'off — the feed polls /updates'}`,
    '',
    'Try it:',
    `  npm run demo`,
  );
  if (proposalId) {
    lines.push(
      `  npm run engagements -- start --proposal ${proposalId} --name "Pilot" --description "Label 100 images" --amount 120`,
      `  npm run engagements -- state engagement-${proposalId} --watch`,
      `  curl -s -H "Authorization: Bearer ${token}" ${info.apiUrl}/engagements/engagement-${proposalId}`,
    );
  }
  lines.push('', 'Ctrl-C stops everything; `npm start` again picks up where this one left off.');
  return lines.join('\n');
}

async function main(): Promise<LocalStack> {
  const config = loadConfig(process.env, 'start');
  // The SDK's and core's logs as JSON lines too, quiet (warnings) unless LOG_LEVEL says otherwise.
  await installTemporalRuntime({
    logger: createLogger({ level: config.LOG_LEVEL ?? 'warn', service: 'worker' }),
    sdkMetrics: false,
  });
  return startLocalStack();
}

if (require.main === module) {
  main().then(
    async (stack) => {
      const proposal =
        stack.info.sandboxUrl && stack.info.sandboxToken
          ? await new SandboxControl(stack.info.sandboxUrl).createProposal({ token: stack.info.sandboxToken })
          : undefined;
      console.log(describeStack(stack.info, proposal?.proposalId));
      let stopping = false;
      const shutdown = () => {
        if (stopping) return;
        stopping = true;
        console.log('\nStopping…');
        stack.stop().then(
          () => process.exit(0),
          (err: unknown) => {
            console.error(err);
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    },
    (err: unknown) => {
      console.error(`npm start: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
