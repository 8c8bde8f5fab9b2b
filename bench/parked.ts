import { setTimeout as sleep } from 'node:timers/promises';
import { countHistory } from './support/histories';
import { inParallel, readPatiently } from './support/lifecycle';
import type { Scenario, ScenarioContext, ScenarioResult } from './support/scenario';
import { BenchStack } from './support/stack';
import { fmt, mean, renderTable, spreadOf } from './support/stats';

/**
 * parked: N engagements waiting for their hire approvals (webhooks off, feed and engagements on the product's
 * defaults), the worker as its own process. N grows (100 → 1,000 → 5,000 on one server); at each N the worker
 * runs once with the product's default cache (WORKER_MAX_CACHED_WORKFLOWS' default) and once with a tiny one
 * (every query then evicts and replays).
 * Replaces scripts/bench-waiting-engagements.ts.
 */

const SMALL_CACHE = 10;
const QUERY_SAMPLE = 300;
const HISTORY_SAMPLE = 20;

interface Measured {
  n: number;
  cache: string;
  rssMiB: number;
  peakMiB: number;
  queryP50Ms: number;
  queryP99Ms: number;
  callsPerMinute: number;
  idleCpuSecondsPerMinute: number;
  eventsPerEngagement: number;
}

/** Engagements started but not yet waiting for their hire, at most: the worker sets the pace, not the starts. */
const IN_FLIGHT = 100;

function countParked(stack: BenchStack): Promise<number> {
  // Visibility, not the sandbox's approval list: an engagement counts once it says it waits for its hire.
  return stack.client.workflow
    .count(`WorkflowType = 'engagementWorkflow' AND EngagementPhase = 'awaiting_hire_approval'`)
    .then(({ count }) => count);
}

/** Parks engagements up to `n` in all (fewer when `untilMs` passes first); how long it took. */
async function parkMore(
  context: ScenarioContext,
  stack: BenchStack,
  ids: string[],
  n: number,
  untilMs: number,
): Promise<number> {
  const began = Date.now();
  let parked = await countParked(stack);
  let lastReport = 0;
  while (ids.length < n && Date.now() < untilMs) {
    const room = Math.min(n - ids.length, IN_FLIGHT - (ids.length - parked));
    await inParallel(
      Array.from({ length: Math.max(0, room) }, (_, i) => ids.length + i),
      20,
      async (i) => {
        const { proposalId } = await stack.control.createProposal({ token: stack.token });
        const { engagementId } = await stack.engagements.start({
          proposalId,
          firstMilestone: { name: `Parked ${i}`, amountUsd: 20 },
        });
        ids.push(engagementId);
      },
    );
    await sleep(1_000);
    parked = await countParked(stack);
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      context.progress(`  parked: ${parked}/${n} waiting (${ids.length} started)`);
    }
  }
  const deadline = Date.now() + 600_000;
  while ((parked = await countParked(stack)) < ids.length) {
    if (Date.now() > deadline)
      throw new Error(`only ${parked} of ${ids.length} engagements reached their hire approval`);
    await sleep(1_000);
  }
  return Date.now() - began;
}

async function measure(
  context: ScenarioContext,
  stack: BenchStack,
  ids: string[],
  cache: string,
  windowMs: number,
): Promise<Measured> {
  const engagements = stack.engagements;
  // Every engagement queried once (warms the default cache; with the tiny one each is a replay), checked parked.
  await inParallel(ids, 10, async (id) => {
    const state = await readPatiently(() => engagements.getState(id));
    if (!state.pendingApprovals.some((a) => a.type === 'proposal_hire'))
      throw new Error(`${id} is not waiting for its hire`);
  });
  const sample = [...ids].sort(() => Math.random() - 0.5).slice(0, QUERY_SAMPLE);
  const timings: number[] = [];
  for (const id of sample) {
    const t0 = performance.now();
    await engagements.getState(id);
    timings.push(performance.now() - t0);
  }
  const worker = stack.worker('engagement');
  const memory = worker.memoryMiB();
  await stack.control.clearRequests();
  const cpuBefore = worker.cpuSeconds();
  await sleep(windowMs);
  const calls = (await stack.control.requests()).length;
  const idleCpu = worker.cpuSeconds() - cpuBefore;
  const events = await Promise.all(
    sample.slice(0, HISTORY_SAMPLE).map((id) => countHistory(stack.client, id)),
  );
  const queries = spreadOf(timings);
  const result: Measured = {
    n: ids.length,
    cache,
    rssMiB: memory.rss,
    peakMiB: memory.peak,
    queryP50Ms: queries.p50,
    queryP99Ms: queries.p99,
    callsPerMinute: calls / (windowMs / 60_000),
    idleCpuSecondsPerMinute: idleCpu / (windowMs / 60_000),
    eventsPerEngagement: mean(events.map((e) => e.events)),
  };
  context.progress(`  parked: ${JSON.stringify(result)}`);
  return result;
}

async function run(context: ScenarioContext): Promise<ScenarioResult> {
  const counts = context.quick ? [20] : [100, 1_000, 5_000];
  const windowMs = context.quick ? 5_000 : 60_000;
  const stack = await BenchStack.start({ root: context.root, webhooks: false, workers: ['engagement'] });
  const rows: Measured[] = [];
  const parkMs: number[] = [];
  let defaultCache = Number.NaN;
  try {
    const ids: string[] = [];
    const untilMs = Date.now() + (context.parkedBudgetMinutes ?? Infinity) * 60_000;
    for (const n of counts) {
      if (Date.now() >= untilMs) break;
      defaultCache = (await stack.startWorker('engagement')).maxCachedWorkflows;
      parkMs.push(await parkMore(context, stack, ids, n, untilMs));
      if (ids.length < n) context.progress(`  parked: budget spent, measuring the ${ids.length} parked`);
      rows.push(await measure(context, stack, ids, `default (${defaultCache})`, windowMs));
      await stack.startWorker('engagement', SMALL_CACHE);
      rows.push(await measure(context, stack, ids, `small (${SMALL_CACHE})`, windowMs));
    }
  } finally {
    await stack.stop();
  }
  const table = renderTable(
    `Parked engagements waiting for their hire (webhooks off, product defaults), one worker process; ` +
      `state query timed over ${QUERY_SAMPLE} random engagements one at a time, calls over a ${windowMs / 1000} s window`,
    [
      'N',
      'cache',
      'time to park s',
      'RSS MiB',
      'peak MiB',
      'state p50 ms',
      'state p99 ms',
      'calls/min',
      'idle CPU s/min',
      'events/engagement',
    ],
    rows.map((r, i) => [
      String(r.n),
      r.cache,
      i % 2 === 0 ? fmt((parkMs[i / 2] ?? Number.NaN) / 1000, 0) : '',
      fmt(r.rssMiB),
      fmt(r.peakMiB),
      fmt(r.queryP50Ms, 1),
      fmt(r.queryP99Ms, 1),
      fmt(r.callsPerMinute, 1),
      fmt(r.idleCpuSecondsPerMinute, 2),
      fmt(r.eventsPerEngagement, 1),
    ]),
  );
  const metrics: Record<string, number> = {};
  for (const r of rows) {
    const key = `n${r.n}.${r.cache.startsWith('small') ? 'smallCache' : 'defaultCache'}`;
    metrics[`${key}.rssMiB`] = r.rssMiB;
    metrics[`${key}.stateP50Ms`] = r.queryP50Ms;
    metrics[`${key}.stateP99Ms`] = r.queryP99Ms;
    metrics[`${key}.callsPerMinute`] = r.callsPerMinute;
    metrics[`${key}.eventsPerEngagement`] = r.eventsPerEngagement;
  }
  const largest = rows.filter((r) => r.n === rows[rows.length - 1]?.n);
  const [big, small] = largest;
  return {
    tables: [table],
    summary:
      `parked: ${big?.n} engagements on one worker (cache ${defaultCache}): RSS ${fmt(big?.rssMiB)} MiB, state p99 ` +
      `${fmt(big?.queryP99Ms, 1)} ms (${fmt(small?.queryP99Ms, 1)} ms with ${SMALL_CACHE} cached), ${fmt(big?.callsPerMinute, 1)} calls/min`,
    metrics,
  };
}

export const parked: Scenario = { name: 'parked', run };
