import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Client } from '@temporalio/client';
import { ENCRYPTED_ENCODING } from '../../codec/aes-gcm-codec';
import { temporal } from '@temporalio/proto';
import type { EngagementState } from '../../domain/engagement-view';
import { TASK_QUEUE } from '../../domain/ids';
import { startCluster } from '../../scripts/cluster';
import type { ClusterPorts, RunningCluster } from '../../scripts/cluster';
import { describeStack } from '../../scripts/stack-info';
import { SandboxControl } from '../../sandbox/control-client';
import { httpLifecycleDriver } from '../e2e/support/http-driver';
import { runLifecycle } from '../e2e/support/lifecycle';
import type { LifecycleDriver } from '../e2e/support/lifecycle';
import { waitForState } from '../e2e/support/wait';
import { freePort } from '../support/ports';
import { connectTemporal } from '../../client/temporal-connection';

/**
 * `npm run cluster` as a test: PostgreSQL, the Temporal server on it, the UI, two versioned worker processes, the
 * API and the sandbox — all on free ports in a temporary folder, so it runs beside any other suite. A whole
 * lifecycle with one worker SIGKILLed half-way; the history is in PostgreSQL; SQL visibility answers the CLI's
 * `list --expiring-within`; a clean stop; a second start resumes from PostgreSQL.
 */

// A cold machine builds the Go binaries first (CI builds them in an earlier step).
jest.setTimeout(15 * 60_000);

/** Temporal keeps membership ports in a smallint column: those must be below 32768, unlike the OS's picks. */
async function freeLowPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer()
        .once('error', () => resolve(false))
        .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

async function freeClusterPorts(): Promise<ClusterPorts> {
  const next = freePort;
  return {
    temporal: {
      frontend: await next(),
      frontendHttp: await next(),
      frontendMembership: await freeLowPort(),
      history: await next(),
      historyMembership: await freeLowPort(),
      matching: await next(),
      matchingMembership: await freeLowPort(),
      worker: await next(),
      workerMembership: await freeLowPort(),
      serverMetrics: await next(),
    },
    ui: await next(),
    api: await next(),
    sandbox: await next(),
    postgres: await next(),
    workerMetrics: [await next(), await next()],
  };
}

/** The real CLI, as a user runs it against the cluster (TEMPORAL_ADDRESS), JSON out. */
function cli(address: string, args: string[], extraEnv: Record<string, string> = {}): unknown {
  const run = spawnSync(
    process.execPath,
    [join(__dirname, '../../lib/client/cli/main.js'), ...args, '--json'],
    {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TEMPORAL_ADDRESS: address, ...extraEnv },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  if (run.status !== 0) throw new Error(`engagements ${args.join(' ')} → ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

const refused = async (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createServer().once('error', () => resolve(false));
    socket.listen(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });

let dataDir: string;
let ports: ClusterPorts;
let cluster: RunningCluster | undefined;
const env = { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME };
const timings: Record<string, number> = {};
const scrapes: string[] = [];

async function scrape(port: number | undefined): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

/** The `encoding` of every payload in a `payloads` list (inputs, results, details) under `node`. */
function collectEncodings(node: unknown, into: Set<string>): void {
  if (!node || typeof node !== 'object' || node instanceof Uint8Array) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'payloads' && Array.isArray(value)) {
      for (const payload of value as { metadata?: Record<string, Uint8Array> }[])
        into.add(Buffer.from(payload.metadata?.encoding ?? []).toString());
    } else if (key !== 'searchAttributes') collectEncodings(value, into);
  }
}

/** The sample lines of `series` whose value is not zero. */
function nonZero(text: string, series: RegExp): string[] {
  return text.split('\n').filter((line) => series.test(line) && !/ 0(\.0+)?$/.test(line));
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'engagements-cluster-'));
  chmodSync(dataDir, 0o755); // PostgreSQL's own user must reach its folder inside
  ports = await freeClusterPorts();
});

afterAll(async () => {
  await cluster?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  console.log(`cluster timings (ms): ${JSON.stringify(timings)}`);
});

async function start(): Promise<RunningCluster> {
  const started = Date.now();
  const running = await startCluster({
    dataDir,
    ports,
    env,
    log: () => undefined,
    updatesPollIntervalMs: 2_000,
  });
  timings[timings.firstStart ? 'secondStart' : 'firstStart'] = Date.now() - started;
  return running;
}

it('runs a whole lifecycle on PostgreSQL with two workers, one SIGKILLed half-way, and resumes after a restart', async () => {
  cluster = await start();
  const { info, postgres, workers } = cluster;
  const connection = await connectTemporal({ address: info.temporalAddress });
  try {
    // The real server on PostgreSQL, not the dev server on SQLite.
    const clusterInfo = await connection.workflowService.getClusterInfo({});
    expect([clusterInfo.persistenceStore, clusterInfo.visibilityStore]).toEqual(['postgres12', 'postgres12']);
    // Two versioned worker processes poll, and their build is the deployment's current one.
    const deployment = await connection.workflowService.describeWorkerDeployment({
      namespace: 'default',
      deploymentName: cluster.deployment.deploymentName,
    });
    expect(deployment.workerDeploymentInfo?.routingConfig?.currentDeploymentVersion?.buildId).toBe(
      cluster.deployment.buildId,
    );
    const pollers = await connection.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: TASK_QUEUE },
    });
    expect(new Set(pollers.pollers?.map((p) => p.identity)).size).toBe(2);
  } finally {
    await connection.close();
  }

  const control = new SandboxControl(info.sandboxUrl ?? '');
  const token = info.sandboxToken ?? '';
  const api = httpLifecycleDriver(info.apiUrl, info.apiToken);

  // One engagement left waiting for its hire: SQL visibility must find it by its approval's expiry.
  const waiting = await api.start((await control.createProposal({ token })).proposalId);
  const hire = await waitForState(
    () => api.state(waiting),
    'the hire approval',
    (s) => s.pendingApprovals.find((a) => a.type === 'proposal_hire'),
    60_000,
  );

  // The lifecycle, with worker 1 SIGKILLed as soon as the first milestone is paid.
  let killed = false;
  const killing: LifecycleDriver = {
    ...api,
    addFundedMilestone: async (id, description, amountUsd) => {
      if (!killed) {
        killed = true;
        // Scraped before its death: each worker serves the SDK's series and ours on one address.
        scrapes.push(await scrape(ports.workerMetrics[0]));
        await workers[0]?.kill();
      }
      return api.addFundedMilestone(id, description, amountUsd);
    },
  };
  const lifecycleStarted = Date.now();
  const { engagementId, final, approvalsConfirmed } = await runLifecycle(
    killing,
    control,
    (await control.createProposal({ token })).proposalId,
  );
  timings.lifecycle = Date.now() - lifecycleStarted;
  expect(killed).toBe(true);
  expect(workers[0]?.child.signalCode).toBe('SIGKILL');
  scrapes.push(await scrape(ports.workerMetrics[1]));
  for (const text of scrapes) {
    expect(nonZero(text, /^temporal_\w+/)).not.toEqual([]);
    expect(nonZero(text, /^engagements_opentrain_requests_total/)).not.toEqual([]);
  }
  expect(nonZero(scrapes.join('\n'), /^engagements_approvals_requested_total/)).not.toEqual([]);

  // Payloads are encrypted on the cluster: read without the codec, the history holds ciphertext only.
  const raw = await connectTemporal({ address: info.temporalAddress });
  try {
    const history = await new Client({ connection: raw }).workflow.getHandle(engagementId).fetchHistory();
    const encodings = new Set<string>();
    // Search attributes and the SDK's patch markers are plaintext by design; every other payload is ours.
    for (const event of history.events ?? [])
      if (!event.markerRecordedEventAttributes) collectEncodings(event, encodings);
    expect(encodings.size).toBeGreaterThan(0);
    expect(encodings).toEqual(new Set([ENCRYPTED_ENCODING]));
  } finally {
    await raw.close();
  }

  // The workers' logs are JSON lines, and no secret of the cluster is in them.
  const secrets = [
    info.apiToken,
    token,
    readFileSync(join(dataDir, 'payload-encryption-keys'), 'utf8').trim(),
  ];
  for (const worker of workers) {
    const lines = readFileSync(worker.logFile, 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    for (const secret of secrets)
      for (const part of secret.split(':')) expect(lines.join('\n')).not.toContain(part);
  }
  expect(approvalsConfirmed).toBe(6);
  expect(final.phase).toBe('ended');

  // Run by the versioned build, as AUTO_UPGRADE: it follows the deployment's current build.
  const versioned = await connectTemporal({ address: info.temporalAddress });
  try {
    const described = await versioned.workflowService.describeWorkflowExecution({
      namespace: 'default',
      execution: { workflowId: engagementId },
    });
    const versioning = described.workflowExecutionInfo?.versioningInfo;
    expect(versioning?.behavior).toBe(
      temporal.api.enums.v1.VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE,
    );
    expect(versioning?.deploymentVersion?.buildId).toBe(cluster.deployment.buildId);
  } finally {
    await versioned.close();
  }

  // The history is in PostgreSQL: the run's events in history_node, the closed run in SQL visibility.
  const runs = await postgres.query(
    'temporal',
    `SELECT count(*) FROM history_node h JOIN executions e ON h.tree_id = e.run_id WHERE e.workflow_id = '${engagementId}'`,
  );
  expect(Number(runs.trim())).toBeGreaterThan(20);
  // Visibility is written after the close, asynchronously: give it a few seconds.
  const visibleStatus = () =>
    postgres.query(
      'temporal_visibility',
      `SELECT status FROM executions_visibility WHERE workflow_id = '${engagementId}' ORDER BY close_time DESC NULLS LAST LIMIT 1`,
    );
  let visible = await visibleStatus();
  for (let i = 0; i < 50 && visible.trim() !== '2'; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    visible = await visibleStatus();
  }
  expect(visible.trim()).toBe('2'); // WORKFLOW_EXECUTION_STATUS_COMPLETED

  // `engagements list --expiring-within` (the CLI, as a user runs it) through SQL visibility.
  const expiring = cli(info.temporalAddress, ['list', '--expiring-within', '80']) as {
    engagementId: string;
  }[];
  expect(expiring.map((e) => e.engagementId)).toContain(waiting);
  expect(expiring.map((e) => e.engagementId)).not.toContain(engagementId);

  // Payloads are encrypted with a key the cluster made: its banner says where the key is and how to hand it to
  // the CLI, and the CLI given it that way reads the engagement's state (list above reads search attributes only).
  const keysFile = join(dataDir, 'payload-encryption-keys');
  expect(info.payloadKeysFile).toBe(keysFile);
  const banner = describeStack(info, undefined, dataDir, { title: 'cluster', command: 'npm run cluster' });
  expect(banner).toContain(`export PAYLOAD_ENCRYPTION_KEYS="$(cat ${relative(process.cwd(), keysFile)})"`);
  const keys = readFileSync(keysFile, 'utf8').trim();
  expect(banner).not.toContain(keys.split(':')[1]);
  const read = cli(info.temporalAddress, ['state', engagementId], { PAYLOAD_ENCRYPTION_KEYS: keys });
  expect(read).toMatchObject({ engagementId, phase: 'ended' });

  // Clean stop: the surviving worker drains and exits by itself, every port is free again.
  await cluster.stop();
  cluster = undefined;
  expect(workers[1]?.child.exitCode).toBe(0);
  for (const port of [ports.temporal.frontend, ports.api, ports.ui, ports.sandbox, ports.postgres])
    expect([port, await refused(port)]).toEqual([port, true]);

  // A second start resumes from PostgreSQL: the ended engagement is there and the waiting one still moves.
  cluster = await start();
  const again = httpLifecycleDriver(cluster.info.apiUrl, cluster.info.apiToken);
  expect((await again.state(engagementId)).phase).toBe('ended');
  await new SandboxControl(cluster.info.sandboxUrl ?? '').confirmApproval(hire.approvalId);
  const active: EngagementState = await waitForState(
    () => again.state(waiting),
    'the contract after the restart',
    (s) => (s.phase === 'active' ? s : undefined),
    60_000,
  );
  expect(active.contractId).toBeTruthy();
});
