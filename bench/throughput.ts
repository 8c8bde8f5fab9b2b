import { setTimeout as sleep } from 'node:timers/promises';
import { startBare, waitForProgress } from './support/baseline';
import { countAllOfType, addCounts, emptyCounts, type HistoryCounts } from './support/histories';
import { APPROVALS_PER_LIFECYCLE, inParallel, measuredLifecycle } from './support/lifecycle';
import type { Scenario, ScenarioContext, ScenarioResult } from './support/scenario';
import { BenchStack } from './support/stack';
import { fmt, ratio, renderTable, spreadOf } from './support/stats';
import { bareGoSignal, type BareShape } from './bare/messages';

/**
 * throughput: N engagements through the whole lifecycle at once (webhooks on, as `npm start` runs with the
 * sandbox), a scripted human confirming each approval a random 0–500 ms after the agent sees it; then, on the
 * same server, N bare workflows issuing as many activities, signals (+ updates) and timers as ours did, driven the
 * same way. Workflow tasks are the WorkflowTaskCompleted events of every history (the updates feed's included).
 */

const POLL_MS = 500;
const HUMAN_MAX_MS = 500;

interface Side {
  workflows: number;
  wallMs: number;
  counts: HistoryCounts;
  cpuSeconds: number;
}

async function oursSide(context: ScenarioContext, stack: BenchStack, n: number) {
  const proposals = [];
  for (let i = 0; i < n; i += 1)
    proposals.push((await stack.control.createProposal({ token: stack.token })).proposalId);
  const worker = stack.worker('engagement');
  const cpuBefore = worker.cpuSeconds();
  const began = Date.now();
  let done = 0;
  const failures: string[] = [];
  const settled = await inParallel(proposals, n, async (proposalId) => {
    try {
      return await measuredLifecycle({
        engagements: stack.engagements,
        control: stack.control,
        proposalId,
        measurePollMs: POLL_MS,
        humanDelayMs: () => Math.random() * HUMAN_MAX_MS,
        waits: { timeoutMs: 900_000, intervalMs: POLL_MS },
      });
    } catch (err) {
      // Counted and shown, not fatal: a lifecycle that fails under load is a finding of its own.
      failures.push(err instanceof Error ? err.message : String(err));
      return undefined;
    } finally {
      done += 1;
      if (done % 20 === 0 || done === n) context.progress(`  throughput: ${done}/${n} lifecycles`);
    }
  });
  const outcomes = settled.filter((o) => o !== undefined);
  const wallMs = Date.now() - began;
  const cpuSeconds = worker.cpuSeconds() - cpuBefore;
  const engagements = await countAllOfType(stack.client, 'engagementWorkflow');
  const feed = await countAllOfType(stack.client, 'updatesFeedWorkflow');
  const side: Side = {
    workflows: outcomes.length,
    wallMs,
    cpuSeconds,
    counts: addCounts(addCounts(emptyCounts(), engagements.counts), feed.counts),
  };
  return {
    side,
    failures,
    toState: spreadOf(outcomes.flatMap((o) => o.samples.map((s) => s.toStateMs))),
  };
}

async function bareSide(
  context: ScenarioContext,
  stack: BenchStack,
  n: number,
  shape: BareShape,
): Promise<Side> {
  const worker = stack.worker('bare');
  const cpuBefore = worker.cpuSeconds();
  const began = Date.now();
  // As many human steps as ours had approvals, spread over the signals.
  const humanSteps = new Set(
    Array.from({ length: APPROVALS_PER_LIFECYCLE }, (_, k) =>
      Math.round((k * shape.signals) / APPROVALS_PER_LIFECYCLE),
    ),
  );
  await inParallel(
    Array.from({ length: n }, (_, i) => i),
    n,
    async (i) => {
      const handle = await startBare(stack.client, `bare-throughput-${i}`, shape);
      for (let step = 0; step < shape.signals; step += 1) {
        // A human step waits until the workflow asks (as the agent sees the approval), then thinks; the others are
        // machine-made (our feed's signals, the agent's updates) and go out at once.
        if (humanSteps.has(step)) {
          await waitForProgress(handle, (_done, waitingFor) => waitingFor === step, POLL_MS);
          await sleep(Math.random() * HUMAN_MAX_MS);
        }
        await handle.signal(bareGoSignal);
      }
      await handle.result();
    },
  );
  const wallMs = Date.now() - began;
  const cpuSeconds = worker.cpuSeconds() - cpuBefore;
  context.progress(`  throughput: ${n} bare workflows done`);
  const { counts } = await countAllOfType(stack.client, 'bareWorkflow');
  return { workflows: n, wallMs, cpuSeconds, counts };
}

function sideRow(name: string, side: Side): string[] {
  const minutes = side.wallMs / 60_000;
  const c = side.counts;
  return [
    name,
    String(side.workflows),
    fmt(side.wallMs / 1000, 1),
    fmt(side.workflows / minutes, 1),
    String(c.workflowTasks),
    fmt(c.workflowTasks / (side.wallMs / 1000), 1),
    String(c.activities + c.localActivities),
    String(c.signals + c.updates),
    String(c.timers),
    fmt(side.cpuSeconds, 1),
    fmt(side.cpuSeconds / side.workflows, 3),
  ];
}

async function run(context: ScenarioContext): Promise<ScenarioResult> {
  const n = context.throughputEngagements ?? (context.quick ? 5 : 200);
  const stack = await BenchStack.start({
    root: context.root,
    webhooks: true,
    workers: ['engagement', 'bare'],
  });
  try {
    const { side: ours, failures, toState } = await oursSide(context, stack, n);
    const per = (x: number) => Math.max(0, Math.round(x / n));
    const shape: BareShape = {
      activities: per(ours.counts.activities + ours.counts.localActivities),
      signals: Math.max(1, per(ours.counts.signals + ours.counts.updates)),
      timers: per(ours.counts.timers),
    };
    context.progress(`  throughput: bare shape ${JSON.stringify(shape)} per workflow`);
    const bare = await bareSide(context, stack, n, shape);
    const perMinute = (s: Side) => s.workflows / (s.wallMs / 60_000);
    const tasksPerSecond = (s: Side) => s.counts.workflowTasks / (s.wallMs / 1000);
    const table = renderTable(
      `Throughput: ${n} at once, human confirms after random 0–${HUMAN_MAX_MS} ms, state read every ${POLL_MS} ms; ` +
        `each worker its own process (CPU from /proc); ours counts the updates feed's history too`,
      [
        '',
        'workflows',
        'wall s',
        'per minute',
        'wf tasks',
        'tasks/s',
        'activities',
        'signals+updates',
        'timers',
        'worker CPU s',
        'CPU s each',
      ],
      [
        sideRow('ours (engagements)', ours),
        sideRow('bare baseline', bare),
        [
          'ours ÷ bare',
          '',
          ratio(ours.wallMs, bare.wallMs),
          ratio(perMinute(ours), perMinute(bare)),
          ratio(ours.counts.workflowTasks, bare.counts.workflowTasks),
          ratio(tasksPerSecond(ours), tasksPerSecond(bare)),
          '',
          '',
          '',
          ratio(ours.cpuSeconds, bare.cpuSeconds),
          ratio(ours.cpuSeconds, bare.cpuSeconds),
        ],
      ],
    );
    return {
      tables: [
        table,
        failures.length
          ? `${failures.length} of ${n} lifecycles failed (not counted as done); the first: ${failures[0]}`
          : `all ${n} lifecycles ended`,
        `Confirm → state under this load: p50 ${fmt(toState.p50)} ms, p90 ${fmt(toState.p90)} ms, p99 ${fmt(toState.p99)} ms (n ${toState.n}, read every ${POLL_MS} ms)`,
      ],
      summary:
        `throughput: ${fmt(perMinute(ours), 1)} engagements/min vs bare ${fmt(perMinute(bare), 1)}/min ` +
        `(${ratio(perMinute(ours), perMinute(bare))}), ${fmt(tasksPerSecond(ours), 1)} workflow tasks/s, ` +
        `${fmt(ours.cpuSeconds / n, 3)} worker CPU s per engagement`,
      metrics: {
        failedLifecycles: failures.length,
        engagementsPerMinute: perMinute(ours),
        bareWorkflowsPerMinute: perMinute(bare),
        perMinuteOverBare: perMinute(ours) / perMinute(bare),
        workflowTasksPerSecond: tasksPerSecond(ours),
        bareWorkflowTasksPerSecond: tasksPerSecond(bare),
        workflowTasksPerEngagement: ours.counts.workflowTasks / n,
        workerCpuSecondsPerEngagement: ours.cpuSeconds / n,
        bareCpuSecondsPerWorkflow: bare.cpuSeconds / n,
        confirmToStateP50Ms: toState.p50,
        confirmToStateP99Ms: toState.p99,
        wallMsOurs: ours.wallMs,
        wallMsBare: bare.wallMs,
      },
    };
  } finally {
    await stack.stop();
  }
}

export const throughput: Scenario = { name: 'throughput', run };
