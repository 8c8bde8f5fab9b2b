import { setTimeout as sleep } from 'node:timers/promises';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { Command, InvalidArgumentError } from 'commander';
import { EngagementClient } from '../client/engagement-client';
import { ensureUpdatesFeed } from '../client/updates-feed';
import { ENGAGEMENT_SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { OpenTrainClient } from '../opentrain';
import { SandboxControl } from '../sandbox/control-client';
import { startSandbox } from '../sandbox/server';
import { createEngagementWorker } from '../worker/create-worker';
import { countByEndpoint, describeCounts } from './sandbox-calls';
import { resolveTemporalBinaries } from './temporal-binaries';

/**
 * `npm run bench:waiting`: how many OpenTrain calls N engagements cost while they all wait for their hire
 * approvals. Embedded stack (in-memory dev server, sandbox, worker, updates feed; webhooks off, so the feed's
 * interval poll is all there is), engagements on the production policy (their own fallback polling of
 * `GET /approvals/{id}` at its default). The claim under test (issue 5): calls grow with time, not with N.
 */

interface BenchOptions {
  counts: number[];
  windowMs: number;
  feedPollIntervalMs: number;
}

interface Row {
  n: number;
  calls: number;
  byEndpoint: Map<string, number>;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

function parseOptions(argv: string[]): BenchOptions {
  const options = new Command('bench-waiting-engagements')
    .option(
      '--counts <list>',
      'engagement counts, comma-separated',
      (v) => v.split(',').map(positiveInt),
      [1, 10, 50],
    )
    .option('--window-ms <ms>', 'how long to count calls while all wait', positiveInt, 20_000)
    .option('--feed-poll-interval-ms <ms>', "the updates feed's interval poll", positiveInt, 2_000)
    .parse(argv, { from: 'user' })
    .opts<BenchOptions>();
  return options;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const began = Date.now();
  const { cliPath } = resolveTemporalBinaries();
  const [env, workflowBundle] = await Promise.all([
    TestWorkflowEnvironment.createLocal({
      server: {
        ...(cliPath ? { executable: { type: 'existing-path' as const, path: cliPath } } : {}),
        searchAttributes: [...ENGAGEMENT_SEARCH_ATTRIBUTES],
      },
    }),
    bundleWorkflowCode({
      workflowsPath: require.resolve('../workflows'),
      logger: new DefaultLogger('WARN'),
    }),
  ]);
  const sandbox = await startSandbox({ port: 0 });
  const control = new SandboxControl(sandbox.url);
  const { token } = await control.createAccount();
  const openTrain = new OpenTrainClient({ baseUrl: sandbox.apiBaseUrl, token });
  const worker = await createEngagementWorker({
    connection: env.nativeConnection,
    openTrain,
    workflowBundle,
  });
  const workerRun = worker.run();
  try {
    await ensureUpdatesFeed(env.client, { input: { pollIntervalMs: options.feedPollIntervalMs } });
    const engagements = new EngagementClient(env.client);
    const rows: Row[] = [];
    for (const n of options.counts) {
      const ids = await startWaiting(engagements, control, token, n);
      await control.clearRequests();
      await sleep(options.windowMs);
      const calls = await control.requests();
      rows.push({ n, calls: calls.length, byEndpoint: countByEndpoint(calls) });
      // Out of the way of the next round; a terminated workflow makes no calls.
      await Promise.all(ids.map((id) => env.client.workflow.getHandle(id).terminate('benchmark round over')));
      process.stderr.write(`  N=${n}: ${calls.length} calls\n`);
    }
    console.log(renderTable(rows, options));
    console.log(`\n(total run ${((Date.now() - began) / 1000).toFixed(0)} s)`);
  } finally {
    worker.shutdown();
    await workerRun;
    await openTrain.close();
    await sandbox.close();
    await env.teardown();
  }
}

/** Starts `n` engagements on fresh proposals and resolves once every one waits for its hire approval. */
async function startWaiting(
  engagements: EngagementClient,
  control: SandboxControl,
  token: string,
  n: number,
): Promise<string[]> {
  process.stderr.write(`starting ${n} engagement(s)…\n`);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const { proposalId } = await control.createProposal({ token });
    const { engagementId } = await engagements.start({
      proposalId,
      firstMilestone: { name: `Waiting ${i}`, amountUsd: 20 },
    });
    ids.push(engagementId);
  }
  const deadline = Date.now() + 90_000;
  let waiting = 0;
  while (Date.now() < deadline) {
    const states = await Promise.all(ids.map((id) => engagements.getState(id)));
    waiting = states.filter((s) => s.pendingApprovals.some((a) => a.type === 'proposal_hire')).length;
    if (waiting === n) return ids;
    await sleep(250);
  }
  throw new Error(`only ${waiting} of ${n} engagements reached their hire approval within 90 s`);
}

function renderTable(rows: Row[], options: BenchOptions): string {
  const minutes = options.windowMs / 60_000;
  const header = ['N', 'OpenTrain calls', 'calls/engagement', 'calls/minute', 'by endpoint'];
  const body = rows.map((r) => [
    String(r.n),
    String(r.calls),
    (r.calls / r.n).toFixed(2),
    (r.calls / minutes).toFixed(1),
    describeCounts(r.byEndpoint, ', ') || '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join(' | ')
      .trimEnd();
  return [
    `Waiting engagements: ${options.windowMs / 1000} s window, updates feed every ${options.feedPollIntervalMs / 1000} s, ` +
      'webhooks off, engagements on the default policy',
    line(header),
    widths.map((w) => '-'.repeat(w)).join('-|-'),
    ...body.map(line),
  ].join('\n');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
