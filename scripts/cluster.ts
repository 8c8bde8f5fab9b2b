import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { temporalSettingsFromEnv } from '../client/connection';
import { loadConfig } from '../config';
import { startPostgres } from './cluster-postgres';
import type { RunningPostgres } from './cluster-postgres';
import { defaultTemporalPorts, startTemporalServer } from './cluster-temporal';
import type { TemporalPorts } from './cluster-temporal';
import { startUiServer } from './cluster-ui';
import {
  buildIdOfLib,
  DEFAULT_DEPLOYMENT_NAME,
  makeBuildCurrent,
  startWorkerProcesses,
  WORKER_ENTRY,
} from './cluster-workers';
import type { WorkerProcess } from './cluster-workers';
import { runUntilSignal } from './run-until-signal';
import { describeStack, readStackInfo, writeStackInfo } from './stack-info';
import type { LocalStackInfo } from './stack-info';
import { runStops, startApiSide, startOpenTrainSide } from './stack-parts';
import type { Stops } from './stack-parts';

/**
 * `npm run cluster`: the production topology on one machine, no Docker — PostgreSQL, the Temporal server on it
 * (persistence + SQL visibility), the Temporal UI, two versioned worker processes, the HTTP API with the updates
 * feed, and the sandbox unless OPENTRAIN_API_TOKEN is set. Same addresses as `npm start`. Everything lives under
 * .data/cluster/, so a second run resumes every engagement from PostgreSQL.
 */

export interface ClusterPorts {
  temporal: TemporalPorts;
  ui: number;
  api: number;
  sandbox: number;
  postgres: number;
  /** One per worker process. */
  workerMetrics: number[];
}

export function defaultClusterPorts(env: NodeJS.ProcessEnv = process.env): ClusterPorts {
  return {
    temporal: defaultTemporalPorts(7233),
    ui: 8233,
    api: Number(env.PORT || 3000),
    sandbox: Number(env.SANDBOX_PORT || 4010),
    postgres: Number(env.CLUSTER_POSTGRES_PORT || 5433),
    workerMetrics: [9464, 9465],
  };
}

export interface ClusterOptions {
  dataDir?: string;
  ports?: ClusterPorts;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  updatesPollIntervalMs?: number;
}

export interface RunningCluster {
  info: LocalStackInfo;
  postgres: RunningPostgres;
  workers: WorkerProcess[];
  deployment: { deploymentName: string; buildId: string };
  stop(): Promise<void>;
}

/**
 * Payloads are encrypted on the cluster: without PAYLOAD_ENCRYPTION_KEYS the cluster makes one key on its first
 * start and keeps it beside its database (0600), so a second start reads every engagement the first one wrote.
 */
function withPayloadEncryption(
  env: NodeJS.ProcessEnv,
  dataDir: string,
): { env: NodeJS.ProcessEnv; keysFile?: string } {
  if (env.PAYLOAD_ENCRYPTION_KEYS?.trim()) return { env };
  const keysFile = join(dataDir, PAYLOAD_KEYS_FILE);
  if (!existsSync(keysFile))
    writeFileSync(keysFile, `cluster1:${randomBytes(32).toString('base64')}`, { mode: 0o600 });
  return { env: { ...env, PAYLOAD_ENCRYPTION_KEYS: readFileSync(keysFile, 'utf8').trim() }, keysFile };
}

const PAYLOAD_KEYS_FILE = 'payload-encryption-keys';

/** Retention of closed engagements' histories in the namespace. */
const RETENTION_DAYS = 30;

export async function startCluster(options: ClusterOptions = {}): Promise<RunningCluster> {
  const log = options.log ?? ((line: string) => console.log(line));
  const dataDir = resolve(options.dataDir ?? '.data/cluster');
  mkdirSync(dataDir, { recursive: true });
  const { env, keysFile } = withPayloadEncryption(options.env ?? process.env, dataDir);
  const config = loadConfig(env, 'start');
  const ports = options.ports ?? defaultClusterPorts(env);
  if (!existsSync(WORKER_ENTRY)) throw new Error(`${WORKER_ENTRY} is missing: run \`npm run build\` first`);
  const saved = readStackInfo(dataDir);
  const stops: Stops = [];
  const stop = () => runStops(stops, log);

  try {
    log(`PostgreSQL on 127.0.0.1:${ports.postgres} (${join(dataDir, 'postgres')})`);
    const postgres = await startPostgres({ dir: dataDir, port: ports.postgres, env, log });
    stops.push(() => postgres.stop());

    const { namespace } = temporalSettingsFromEnv(env);
    log(`Temporal server on 127.0.0.1:${ports.temporal.frontend} (PostgreSQL persistence and visibility)`);
    const temporal = await startTemporalServer({
      postgres,
      ports: ports.temporal,
      namespace,
      retentionDays: RETENTION_DAYS,
      logFile: join(dataDir, 'temporal.log'),
      env,
      log,
    });
    stops.push(() => temporal.stop());

    const openTrainSide = await startOpenTrainSide({
      config,
      dataDir,
      saved,
      sandboxPort: ports.sandbox,
      stops,
    });

    const deployment = {
      deploymentName: env.WORKER_DEPLOYMENT_NAME || DEFAULT_DEPLOYMENT_NAME,
      buildId: env.WORKER_BUILD_ID || buildIdOfLib(),
    };
    log(`${ports.workerMetrics.length} workers, build ${deployment.deploymentName}/${deployment.buildId}`);
    const workers = startWorkerProcesses({
      metricsPorts: ports.workerMetrics,
      logDir: dataDir,
      env: {
        ...env,
        ...openTrainSide.workerEnv,
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_NAMESPACE: namespace,
        WORKER_DEPLOYMENT_NAME: deployment.deploymentName,
        WORKER_BUILD_ID: deployment.buildId,
      },
    });
    // Stopped together, so both drain at once.
    stops.push(async () => void (await Promise.all(workers.map((w) => w.stop()))));
    await makeBuildCurrent({ temporalAddress: temporal.address, namespace, ...deployment, workers });

    // The API starts the updates feed, so only once new workflows have a current build to run on.
    const api = await startApiSide({
      config,
      saved,
      temporalAddress: temporal.address,
      namespace,
      openTrain: openTrainSide.openTrain,
      sandboxUrl: openTrainSide.sandboxUrl,
      apiPort: ports.api,
      updatesPollIntervalMs: options.updatesPollIntervalMs,
      stops,
    });

    const codecEndpoint = (await servesCodec(api.apiUrl, api.apiToken)) ? `${api.apiUrl}/codec` : undefined;
    const ui = await startUiServer({
      temporalAddress: temporal.address,
      namespace,
      port: ports.ui,
      codecEndpoint,
      logFile: join(dataDir, 'temporal-ui.log'),
      env,
      log,
    });
    stops.push(() => ui.stop());

    const info: LocalStackInfo = {
      temporalAddress: temporal.address,
      namespace,
      temporalUiUrl: ui.url,
      apiUrl: api.apiUrl,
      apiToken: api.apiToken,
      sandboxUrl: openTrainSide.sandboxUrl,
      sandboxToken: openTrainSide.sandboxToken,
      webhookSecret: api.webhookSecret,
      workerMetricsUrls: await servingMetrics(
        workers.map((w) => `http://127.0.0.1:${w.metricsPort}/metrics`),
      ),
      codecEndpoint,
      payloadKeysFile: keysFile,
      postgres: {
        host: postgres.host,
        port: postgres.port,
        user: postgres.user,
        passwordFile: postgres.passwordFile,
      },
    };
    writeStackInfo(dataDir, info);
    return { info, postgres, workers, deployment, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The payload codec endpoint is part of the API when payload encryption is configured. */
async function servesCodec(apiUrl: string, apiToken: string): Promise<boolean> {
  const status = await statusOf(`${apiUrl}/codec/decode`, 'POST', apiToken);
  return status !== undefined && status !== 404;
}

/** Only the scrape addresses that really serve metrics go into the banner. */
async function servingMetrics(urls: string[]): Promise<string[]> {
  const statuses = await Promise.all(urls.map((url) => statusOf(url, 'GET')));
  return urls.filter((_, i) => statuses[i] === 200);
}

async function statusOf(url: string, method: 'GET' | 'POST', bearer?: string): Promise<number | undefined> {
  const res = await request(url, {
    method,
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: method === 'POST' ? '{"payloads":[]}' : undefined,
  }).catch(() => undefined);
  await res?.body.dump();
  return res?.statusCode;
}

if (require.main === module) {
  const dataDir = '.data/cluster';
  runUntilSignal(
    'npm run cluster',
    () => startCluster({ dataDir }),
    (info, proposalId) =>
      describeStack(info, proposalId, dataDir, { title: 'cluster', command: 'npm run cluster' }),
  );
}
