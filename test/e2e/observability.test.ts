import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { request } from 'undici';
import { startApiService, type RunningApi } from '../../client/http/serve';
import {
  dataConverterFromConfig,
  FAILURE_CONVERTER_PATH,
  payloadCodecFromConfig,
} from '../../codec/data-converter';
import { loadConfig } from '../../config';
import { createLogger } from '../../observability/logger';
import { OpenTrainClient } from '../../opentrain';
import { SandboxControl } from '../../sandbox/control-client';
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import { startWorkerObservability, startWorkerProcess, type WorkerProcess } from '../../worker/run-worker';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../worker/workflow-bundling';
import { createDevServerEnv } from '../support/temporal';
import { httpLifecycleDriver } from './support/http-driver';
import { runLifecycle } from './support/lifecycle';

/**
 * One whole lifecycle with the production wiring of a worker (worker/run-worker.ts) and the API: pino JSON lines
 * from our code, the SDK and core, all captured; metrics scraped from the worker's one address and the API. The
 * captured output must be valid JSON lines holding none of the secrets in play, and the metrics must count it.
 */
jest.setTimeout(240_000);

const lines: string[] = [];
const capture = { write: (line: string) => void lines.push(line) };
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const API_TOKEN = randomBytes(18).toString('hex');

let env: TestWorkflowEnvironment;
let sandbox: RunningSandbox;
let control: SandboxControl;
let token: string;
let worker: WorkerProcess;
let workerRun: Promise<void>;
let api: RunningApi;
let webhookOpenTrain: OpenTrainClient;
let webhookSecret: string | undefined;

beforeAll(async () => {
  const base = { LOG_LEVEL: 'debug', METRICS_PORT: '0', PAYLOAD_ENCRYPTION_KEYS: `k1:${ENCRYPTION_KEY}` };
  // The Runtime first, before the test server's connection exists: everything Temporal logs lands in `capture`.
  const observability = await startWorkerObservability(loadConfig(base), capture);
  env = await createDevServerEnv();
  sandbox = await startSandbox({ port: 0, webhookRetryDelaysMs: [50, 100, 200, 400] });
  control = new SandboxControl(sandbox.url);
  ({ token } = await control.createAccount());
  const config = loadConfig(
    {
      ...base,
      TEMPORAL_ADDRESS: env.address,
      OPENTRAIN_API_TOKEN: token,
      OPENTRAIN_API_BASE_URL: sandbox.apiBaseUrl,
    },
    'worker',
  );
  worker = await startWorkerProcess(config, {
    observability,
    workflowBundle: await bundleWorkflowCode({
      workflowsPath: require.resolve('../../workflows'),
      failureConverterPath: FAILURE_CONVERTER_PATH,
      ...WORKFLOW_BUNDLE_OPTIONS,
      logger: new DefaultLogger('WARN'),
    }),
  });
  workerRun = worker.run();
  webhookOpenTrain = new OpenTrainClient({ baseUrl: sandbox.apiBaseUrl, token });
  const codec = payloadCodecFromConfig(config)!;
  api = await startApiService({
    temporal: new Client({ connection: env.connection, dataConverter: dataConverterFromConfig(config) }),
    apiToken: API_TOKEN,
    port: 0,
    feed: { input: { pollIntervalMs: 600_000 } },
    webhook: {
      openTrain: webhookOpenTrain,
      publicUrl: (listening) => `${listening}/webhooks/opentrain`,
      onNewSecret: (secret) => void (webhookSecret = secret),
    },
    loggerInstance: createLogger({ level: 'info', service: 'api', destination: capture }),
    metrics: true,
    codec: { codec, corsOrigins: config.CODEC_CORS_ORIGINS },
  });
});

afterAll(async () => {
  await api?.close();
  if (worker?.worker.getState() === 'RUNNING') worker.worker.shutdown();
  await workerRun;
  await webhookOpenTrain?.close();
  await sandbox?.close();
  await env?.teardown();
});

async function scrape(url: string): Promise<string> {
  const res = await request(url);
  expect(res.statusCode).toBe(200);
  return res.body.text();
}

/** The value of one series (exact name and labels as Prometheus prints them), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

it("keeps the sticky cache at WORKER_MAX_CACHED_WORKFLOWS' default, not the SDK's heap-sized one", () => {
  // ~2.2 MiB per cached engagement: the SDK's default (thousands on a large heap) would grow past 1 GiB.
  expect(worker.worker.options.maxCachedWorkflows).toBe(300);
});

it('logs JSON lines without secrets and counts the lifecycle in the SDK series and ours', async () => {
  const { proposalId } = await control.createProposal({ token });
  const { engagementId, final } = await runLifecycle(
    httpLifecycleDriver(api.url, API_TOKEN),
    control,
    proposalId,
  );
  expect(final.phase).toBe('ended');
  expect(webhookSecret).toBeDefined();

  // Worker: one address, the SDK's series and ours.
  const workerMetrics = await scrape(worker.metricsUrl!);
  const sdkSeries = workerMetrics.split('\n').filter((l) => /^temporal_\w+(\{[^}]*\})? [1-9]/.test(l));
  expect(sdkSeries.length).toBeGreaterThan(0);
  expect(
    sample(workerMetrics, 'engagements_approvals_requested_total{type="proposal_hire"}'),
  ).toBeGreaterThanOrEqual(1);
  expect(
    sample(workerMetrics, 'engagements_approvals_requested_total{type="milestone_approve"}'),
  ).toBeGreaterThanOrEqual(2);
  expect(
    sample(workerMetrics, 'engagements_approvals_resolved_total{type="contract_end",outcome="confirmed"}'),
  ).toBeGreaterThanOrEqual(1);
  expect(
    sample(
      workerMetrics,
      'engagements_approval_decision_seconds_count{type="proposal_hire",outcome="confirmed"}',
    ),
  ).toBeGreaterThanOrEqual(1);
  expect(
    sample(
      workerMetrics,
      'engagements_opentrain_requests_total{endpoint="POST /proposals/:id/hire",status="202"}',
    ),
  ).toBeGreaterThanOrEqual(1);
  expect(sample(workerMetrics, 'engagements_feed_last_successful_poll_timestamp_seconds')).toBeGreaterThan(0);
  expect(workerMetrics).toContain('engagements_activity_retries_total');
  expect(workerMetrics).toContain('engagements_reminders_sent_total');

  // API: webhook deliveries and engagements by phase (visibility).
  const client = new Client({ connection: env.connection });
  for (let i = 0; i < 50; i++) {
    const { count } = await client.workflow.count(`EngagementPhase = "ended"`);
    if (count > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const apiMetrics = await scrape(`${api.url}/metrics`);
  expect(
    sample(apiMetrics, 'engagements_webhook_deliveries_total{outcome="accepted",reason="new"}'),
  ).toBeGreaterThanOrEqual(1);
  expect(sample(apiMetrics, 'engagements_by_phase{phase="ended"}')).toBeGreaterThanOrEqual(1);

  // Every series the Grafana dashboard reads is exposed (the SDK creates its failure counters at the first failure).
  const dashboard = readFileSync(join(__dirname, '../../deploy/grafana/opentrain-engagements.json'), 'utf8');
  const used = new Set([...dashboard.matchAll(/\b((?:engagements|temporal)_[a-z_]+)/g)].map((m) => m[1]!));
  const exposed = `${workerMetrics}\n${apiMetrics}`;
  for (const name of used) {
    if (name.endsWith('_failed')) continue;
    expect({ name, exposed: exposed.includes(name) }).toEqual({ name, exposed: true });
  }

  // Logs: every line JSON; the ids on the lines that have them; no secret anywhere in the whole output.
  const parsed = lines
    .join('')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(parsed.length).toBeGreaterThan(20);
  const activityLine = parsed.find(
    (l) => l.activityType === 'notifyHuman' && l.engagementId === engagementId,
  );
  expect(activityLine).toMatchObject({ workflowId: engagementId, runId: expect.any(String), attempt: 1 });
  // The workflow's own logger (the SDK's `log` sink), with the run's ids.
  expect(
    parsed.find((l) => l.workflowType === 'engagementWorkflow' && l.msg === 'Workflow started'),
  ).toMatchObject({
    engagementId,
    workflowId: engagementId,
    runId: expect.any(String),
  });
  expect(parsed.some((l) => l.sdkComponent === 'worker')).toBe(true);
  expect(parsed.some((l) => l.sdkComponent === 'core')).toBe(true);
  expect(parsed.some((l) => l.service === 'api')).toBe(true);
  const output = lines.join('');
  for (const secret of [token, API_TOKEN, webhookSecret!, ENCRYPTION_KEY])
    expect(output).not.toContain(secret);
});
