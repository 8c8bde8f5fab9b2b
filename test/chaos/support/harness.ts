import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { EngagementClient } from '../../../client/engagement-client';
import { ensureUpdatesFeed, readFeedStatus } from '../../../client/updates-feed';
import { SandboxControl } from '../../../sandbox/control-client';
import { startSandbox, type RunningSandbox } from '../../../sandbox/server';
import { ChaosAgent, STEPS_PER_LIFECYCLE, type AgentRecord } from './agent';
import { ensureBuilt } from './build';
import type { ChaosConfig } from './config';
import { BackoffBoard, ScriptedHuman } from './human';
import { killAll, pause } from './processes';
import type { RunCounts } from './report';
import { KillableTemporalServer } from './temporal-server';
import { judge, type Verdict } from './verdict';
import { WorkerChaos } from './worker-chaos';
import { connectTemporal } from '../../../client/temporal-connection';

export interface ChaosRun {
  counts: RunCounts;
  verdict: Verdict;
  agents: AgentRecord[];
  /** Server and worker logs, kept when the run found problems. */
  logDir: string;
  serverFailure?: string;
  /** The feed workflow's own status at the end (cursor, polls, last error), or why it could not be read. */
  feedStatus: string;
  /** Approvals the human could not confirm, with the sandbox's answer. */
  humanRefusals: { approvalId: string; type: string; error: string }[];
}

/** A few bounded tries of a Temporal read at the end, while workers are still being killed. */
async function readWithRetries<T>(temporal: Client, read: () => Promise<T>): Promise<T | string> {
  let last = '';
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    try {
      return await temporal.withDeadline(Date.now() + 10_000, read);
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
      await pause(1_000);
    }
  }
  return `unreadable: ${last}`;
}

/**
 * The whole fault scenario: a Temporal dev server on its own SQLite file, the OpenTrain sandbox in this process
 * with faults on, the updates feed, killable worker processes, the scripted human and one agent per engagement.
 */
export class ChaosHarness {
  private workers?: WorkerChaos;
  private human?: ScriptedHuman;
  private stopped = false;

  private constructor(
    readonly config: ChaosConfig,
    readonly root: string,
    readonly logDir: string,
    readonly buildNote: string,
    private readonly server: KillableTemporalServer,
    private readonly sandbox: RunningSandbox,
    private readonly control: SandboxControl,
    private readonly token: string,
    private readonly connection: Connection,
  ) {}

  static async start(config: ChaosConfig, root: string): Promise<ChaosHarness> {
    const buildNote = ensureBuilt(root);
    const logDir = mkdtempSync(join(tmpdir(), 'opentrain-chaos-'));
    const server = await KillableTemporalServer.create(logDir);
    let sandbox: RunningSandbox | undefined;
    try {
      await server.start();
      sandbox = await startSandbox({ port: 0 });
      const control = new SandboxControl(sandbox.url);
      // No card, plenty of credits: every charge is a HOLD on the ledger the verdict reads, duplicates included.
      const { token } = await control.createAccount({
        cardOnFile: false,
        creditsCents: config.engagements * 100_000,
      });
      const connection = await connectTemporal({ address: server.address });
      const temporal = new Client({ connection });
      await ensureUpdatesFeed(temporal, { input: { pollIntervalMs: config.feedPollIntervalMs } });
      return new ChaosHarness(config, root, logDir, buildNote, server, sandbox, control, token, connection);
    } catch (err) {
      await sandbox?.close();
      await server.stop();
      throw err;
    }
  }

  async run(): Promise<ChaosRun> {
    const { config } = this;
    const startedAtMs = Date.now();
    const hardStopMs = startedAtMs + config.deadlineMs + 60_000;
    const temporal = new Client({ connection: this.connection });
    const engagements = new EngagementClient(temporal);
    const board = new BackoffBoard();
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), config.deadlineMs);
    const proposals: string[] = [];
    for (let i = 0; i < config.engagements; i += 1)
      proposals.push((await this.control.createProposal({ token: this.token })).proposalId);

    await this.control.setFaults(config.faults);
    this.workers = new WorkerChaos({
      root: this.root,
      logDir: this.logDir,
      count: config.workers,
      lifetimeMs: config.workerLifetimeMs,
      untilMs: hardStopMs,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        TEMPORAL_ADDRESS: this.server.address,
        TEMPORAL_NAMESPACE: 'default',
        OPENTRAIN_API_BASE_URL: this.sandbox.apiBaseUrl,
        OPENTRAIN_API_TOKEN: this.token,
      },
    });
    this.workers.start();
    this.human = new ScriptedHuman(this.control, board, {
      delayMaxMs: config.humanDelayMaxMs,
      duringBackoffOneIn: config.confirmDuringBackoffOneIn,
      // Long enough to see the agent's call time out and back off, when it does.
      backoffWaitMs: config.callTimeoutMs + 2_000,
      untilMs: hardStopMs,
    });
    this.human.start();

    let progress = 0;
    const agents = proposals.map(
      (proposalId, i) =>
        new ChaosAgent(
          {
            temporal,
            engagements,
            board,
            config,
            startedAtMs,
            signal: deadline.signal,
            onProgress: () => (progress += 1),
          },
          i + 1,
          proposalId,
        ),
    );
    // A stopped lifecycle's remaining steps count as settled, so the crashes still come while others run.
    let settled = 0;
    const allDone = new AbortController();
    const serverChaos = this.crashServerAlongTheWay(
      () => (progress + settled) / (agents.length * STEPS_PER_LIFECYCLE),
      allDone.signal,
    );
    // Staggered a little, so the engagements are spread over every phase when the faults hit.
    await Promise.all(
      agents.map(async (agent, i) => {
        await pause(i * 150, deadline.signal);
        await agent.run();
        settled += STEPS_PER_LIFECYCLE - agent.record.marks;
      }),
    );
    allDone.abort();
    const serverFailure = await serverChaos;
    clearTimeout(timer);

    // The dump of an unfinished engagement must show its state now, not when its agent gave up.
    for (const agent of agents.filter((a) => !a.record.done)) {
      const state = await readWithRetries(temporal, () => engagements.getState(agent.record.engagementId));
      if (typeof state !== 'string')
        Object.assign(agent.record, { lastState: state, lastStateAtMs: Date.now() });
    }
    const feed = await readWithRetries(temporal, () => readFeedStatus(temporal));
    const feedStatus = typeof feed === 'string' ? feed : JSON.stringify(feed);

    // Nothing may move money while the records are read: the human and the workers stop first.
    await this.human.stop();
    await this.workers.stop();
    await this.control.setFaults({});
    const verdict = await judge(
      this.control,
      agents.map((a) => a.record),
      config.amounts.budgetUsd,
    );
    if (serverFailure) verdict.problems.push(`Temporal server: ${serverFailure}`);
    const records = agents.map((a) => a.record);
    return {
      agents: records,
      verdict,
      logDir: this.logDir,
      serverFailure,
      feedStatus,
      humanRefusals: this.human.refused,
      counts: {
        engagements: agents.length,
        workerKills: this.workers.kills,
        workerSelfExits: this.workers.exitedOnTheirOwn,
        serverRestarts: this.server.restarts,
        confirmed: this.human.confirmed,
        confirmedDuringBackoff: this.human.confirmedDuringBackoff,
        backoffWindowsMissed: this.human.backoffWindowsMissed,
        humanRefused: this.human.refused.length,
        agentCalls: records.reduce((sum, r) => sum + r.calls, 0),
        agentFailedCalls: records.reduce((sum, r) => sum + r.failedCalls, 0),
        refusalsWaitedOut: records.reduce((sum, r) => sum + r.refusalsWaitedOut, 0),
        wallMs: Date.now() - startedAtMs,
      },
    };
  }

  /** Crash the server once the run's progress passes 1/(n+1), 2/(n+1), …; a failed restart is reported. */
  private async crashServerAlongTheWay(
    progress: () => number,
    done: AbortSignal,
  ): Promise<string | undefined> {
    const { serverRestarts, serverDowntimeMs } = this.config;
    try {
      for (let i = 1; i <= serverRestarts; i += 1) {
        while (!done.aborted && progress() < i / (serverRestarts + 1)) await pause(250, done);
        if (done.aborted) return undefined;
        await this.server.crashAndRestart(serverDowntimeMs);
      }
      return undefined;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }

  /** Idempotent and safe after a failed run: every process this suite started is killed. */
  async stop(keepLogs: boolean): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.human?.stop().catch(() => undefined);
    await this.workers?.stop().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
    await this.server.stop().catch(() => undefined);
    await this.sandbox.close().catch(() => undefined);
    await killAll();
    if (!keepLogs) rmSync(this.logDir, { recursive: true, force: true });
  }
}
