import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { runCli } from '../client/cli/program';
import type { CliIo } from '../client/cli/context';
import { connectEngagementClient } from '../client/connection';
import type { ConnectedEngagementClient } from '../client/connection';
import type { EngagementState } from '../domain/engagement-view';
import { OpenTrainClient } from '../opentrain';
import { SandboxControl } from '../sandbox/control-client';
import { API_PREFIX as SANDBOX_API_PREFIX } from '../sandbox/server';
import { briefTrainerAndAwaitReply, printThread, type ThreadDemo } from './demo-thread';
import { readStackInfo, startLocalStack, temporalSettingsOfStack } from './start-local';
import type { LocalStack, LocalStackInfo } from './start-local';
import { temporalIsUp } from './dev-server';
import { countByEndpoint, describeCounts } from './sandbox-calls';

/**
 * `npm run demo`: one complete engagement through the CLI's own code path, against the sandbox — preconditions,
 * hire, the human confirming (here through the sandbox control API; the printed links are what a person would
 * open), the trainer briefed and answering in the contract thread, three milestones funded and released, then a fourth funded so that ending the contract needs the human's
 * co-sign. Uses the running `npm start` stack when there is one, else starts its own in a temporary folder.
 */

const STEP_TIMEOUT_MS = 30_000;

interface Demo {
  cli(args: string[], options?: { quiet?: boolean }): Promise<string>;
  state(engagementId: string): Promise<EngagementState>;
  control: SandboxControl;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const began = Date.now();
  const { info, stack } = await findOrStartStack();
  if (!info.sandboxUrl || !info.sandboxToken) {
    throw new Error(
      'The demo needs the sandbox: run `npm start` without OPENTRAIN_API_TOKEN, or stop it and retry.',
    );
  }
  const control = new SandboxControl(info.sandboxUrl);
  // The sandbox token serves `message list` only: the whole thread, read from OpenTrain like the CLI would.
  const connected = await connectEngagementClient(temporalSettingsOfStack(info, process.env), {
    threadReader: new OpenTrainClient({
      baseUrl: `${info.sandboxUrl}${SANDBOX_API_PREFIX}`,
      token: info.sandboxToken,
    }),
  });
  try {
    const requestsBefore = (await control.requests()).length;
    const demoBegan = Date.now();
    await runDemo(makeDemo(connected, control), control, info.sandboxToken);
    const calls = (await control.requests()).slice(requestsBefore);
    const demoMs = Date.now() - demoBegan;
    console.log('\n== Done');
    console.log(
      `  engagement wall time: ${(demoMs / 1000).toFixed(1)} s (total with stack start: ${((Date.now() - began) / 1000).toFixed(1)} s)`,
    );
    console.log(`  OpenTrain API calls counted by the sandbox: ${calls.length}`);
    console.log(`    ${describeCounts(countByEndpoint(calls), '\n    ')}`);
  } finally {
    await connected.close();
    await stack?.stop();
  }
}

async function findOrStartStack(): Promise<{ info: LocalStackInfo; stack?: LocalStack }> {
  // `npm start` keeps its stack file in .data/, `npm run cluster` in .data/cluster/.
  for (const saved of [readStackInfo(resolve('.data')), readStackInfo(resolve('.data/cluster'))]) {
    if (!saved.temporalAddress || !saved.sandboxUrl || !(await temporalIsUp(saved.temporalAddress))) continue;
    const alive = await new SandboxControl(saved.sandboxUrl).requests().then(
      () => true,
      () => false,
    );
    if (alive) {
      console.log(`Using the running stack (Temporal ${saved.temporalAddress}, sandbox ${saved.sandboxUrl})`);
      return { info: saved as LocalStackInfo };
    }
  }
  console.log(
    'No running stack found: starting an embedded one (Temporal dev server, sandbox, worker, API)…',
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'engagements-demo-'));
  const stack = await startLocalStack({
    dataDir,
    temporalPort: await freePortNear(17233),
    uiPort: await freePortNear(18233),
    apiPort: await freePortNear(13000),
    sandboxPort: 0,
    env: { ...process.env, OPENTRAIN_API_TOKEN: '', OT_API_TOKEN: '', TEMPORAL_ADDRESS: '' },
    log: () => undefined,
  });
  return {
    info: stack.info,
    stack: {
      info: stack.info,
      stop: async () => {
        await stack.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    },
  };
}

/** The first port from `start` that is free, so an embedded stack never collides with a running one. */
async function freePortNear(start: number): Promise<number> {
  const { createServer } = await import('node:net');
  for (let port = start; port < start + 100; port++) {
    const free = await new Promise<boolean>((done) => {
      const server = createServer()
        .once('error', () => done(false))
        .listen(port, '127.0.0.1', () => server.close(() => done(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port near ${start}`);
}

function makeDemo(connected: ConnectedEngagementClient, control: SandboxControl): Demo {
  const cli = async (args: string[], options: { quiet?: boolean } = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = {
      // The demo's commands share one connection; everything else is the CLI's own code path.
      connect: async () => ({ engagements: connected.engagements, close: async () => undefined }),
      stdout: (text) => out.push(text),
      stderr: (text) => err.push(text),
      isTTY: false,
      now: () => Date.now(),
    };
    if (!options.quiet) console.log(`\n$ engagements ${args.map(quote).join(' ')}`);
    const code = await runCli(args, io);
    if (code !== 0) throw new Error(`engagements ${args.join(' ')} exited ${code}: ${err.join(' ')}`);
    const text = out.join('\n');
    if (!options.quiet) console.log(indent(text));
    return text;
  };
  const state = async (engagementId: string) =>
    JSON.parse(await cli(['state', engagementId, '--json'], { quiet: true })) as EngagementState;
  return { cli, state, control };
}

async function runDemo(demo: Demo, control: SandboxControl, token: string): Promise<void> {
  const { proposalId } = await control.createProposal({ token });
  step(`A trainer's proposal ${proposalId} is waiting in the sandbox. Start the engagement:`);
  const engagementId = (
    await demo.cli([
      'start',
      '--proposal',
      proposalId,
      '--name',
      'Pilot batch',
      '--description',
      'Label 200 product images',
      '--amount',
      '120',
      '--budget',
      '1000',
    ])
  ).trim();

  step('Preconditions pass; the hire waits for the human’s co-sign:');
  const hire = await waitFor(demo, engagementId, 'the hire approval', (s) =>
    s.pendingApprovals.find((a) => a.type === 'proposal_hire'),
  );
  await humanConfirms(demo, engagementId, hire.approvalId, hire.approvalUrl);
  const first = await waitFor(demo, engagementId, 'the contract', (s) =>
    s.phase === 'active' ? s.milestones.find((m) => m.status === 'ACTIVE_FUNDED') : undefined,
  );
  await demo.cli(['state', engagementId]);

  step('Brief the trainer in the contract thread, and wait for the answer before more money moves:');
  await briefTrainerAndAwaitReply(threadDemo(demo), engagementId);

  step('Milestone 1 was funded with the hire. Release it:');
  await release(demo, engagementId, first.id);

  for (const [n, description, amount] of [
    [2, 'Label 300 more images', '150'],
    [3, 'Review and fix 500 labels', '90.50'],
  ] as const) {
    step(`Milestone ${n}: add it and request funding in one go, then release it:`);
    const added = createdId(
      await demo.cli([
        'milestone',
        'add',
        engagementId,
        '--description',
        description,
        '--amount',
        amount,
        '--fund',
      ]),
    );
    await confirmPending(demo, engagementId, added, 'milestone_fund');
    await waitFor(demo, engagementId, `milestone ${n} funded`, (s) =>
      s.milestones.find((m) => m.id === added && m.status === 'ACTIVE_FUNDED'),
    );
    await release(demo, engagementId, added);
  }

  step('Milestone 4 is funded but not released, so ending the contract needs the human’s co-sign:');
  const fourth = createdId(
    await demo.cli([
      'milestone',
      'add',
      engagementId,
      '--description',
      'Stand-by hours',
      '--amount',
      '40',
      '--fund',
    ]),
  );
  await confirmPending(demo, engagementId, fourth, 'milestone_fund');
  await waitFor(demo, engagementId, 'milestone 4 funded', (s) =>
    s.milestones.find((m) => m.id === fourth && m.status === 'ACTIVE_FUNDED'),
  );
  await demo.cli(['end', engagementId]);
  const end = await waitFor(demo, engagementId, 'the end approval', (s) =>
    s.pendingApprovals.find((a) => a.type === 'contract_end'),
  );
  await humanConfirms(demo, engagementId, end.approvalId, end.approvalUrl);
  await waitFor(demo, engagementId, 'the end', (s) => (s.phase === 'ended' ? s : undefined));
  step('The contract has ended:');
  await demo.cli(['state', engagementId]);
  step('The whole thread, as OpenTrain has it:');
  const thread = await printThread(threadDemo(demo), engagementId);
  if (process.env.DEMO_THREAD_FILE) writeFileSync(process.env.DEMO_THREAD_FILE, `${thread}\n`);
}

function threadDemo(demo: Demo): ThreadDemo {
  return { ...demo, waitFor: (engagementId, what, pick) => waitFor(demo, engagementId, what, pick) };
}

async function release(demo: Demo, engagementId: string, milestoneId: string): Promise<void> {
  await demo.cli(['milestone', 'release', engagementId, milestoneId]);
  await confirmPending(demo, engagementId, milestoneId, 'milestone_approve');
  await waitFor(demo, engagementId, `${milestoneId} paid`, (s) =>
    s.milestones.find((m) => m.id === milestoneId && m.status === 'PAID'),
  );
  console.log(`  ✓ ${milestoneId} paid out`);
}

async function confirmPending(
  demo: Demo,
  engagementId: string,
  milestoneId: string,
  type: string,
): Promise<void> {
  const approval = await waitFor(demo, engagementId, `the ${type} approval`, (s) =>
    s.pendingApprovals.find((a) => a.milestoneId === milestoneId && a.type === type),
  );
  await humanConfirms(demo, engagementId, approval.approvalId, approval.approvalUrl);
}

async function humanConfirms(
  demo: Demo,
  _engagementId: string,
  approvalId: string,
  approvalUrl: string,
): Promise<void> {
  console.log(
    `  → a person would open ${approvalUrl} and click Confirm; the demo confirms via the sandbox control API`,
  );
  await demo.control.confirmApproval(approvalId);
}

/** Polls the state (through the CLI's `state --json`) until `pick` finds what the next step needs. */
async function waitFor<T>(
  demo: Demo,
  engagementId: string,
  what: string,
  pick: (state: EngagementState) => T | undefined,
): Promise<T> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  let last: EngagementState | undefined;
  while (Date.now() < deadline) {
    last = await demo.state(engagementId);
    const found = pick(last);
    if (found !== undefined) return found;
    if (last.phase === 'failed' || last.phase === 'blocked') break;
    await sleep(250);
  }
  throw new Error(
    `Gave up waiting for ${what}; the engagement is ${last?.phase ?? 'unknown'}: ${JSON.stringify(last?.blockers ?? [])}`,
  );
}

/** The milestone id from the CLI's readable "Created: <id> …" line. */
function createdId(output: string): string {
  const id = /^Created: (\S+)/m.exec(output)?.[1];
  if (!id) throw new Error(`no milestone id in: ${output}`);
  return id;
}

function step(text: string): void {
  console.log(`\n== ${text}`);
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
