import { measureBareRounds } from './support/baseline';
import {
  APPROVALS_PER_LIFECYCLE,
  inParallel,
  measuredLifecycle,
  type ConfirmSample,
  type LifecycleOutcome,
} from './support/lifecycle';
import { msToNextRequest } from './support/requests';
import type { Scenario, ScenarioContext, ScenarioResult } from './support/scenario';
import { BenchStack } from './support/stack';
import { fmt, ratio, renderTable, spreadOf, type Spread } from './support/stats';

/**
 * latency: the human confirms on the sandbox → (a) the engagement's `state` query shows the effect, (b) the next
 * OpenTrain request about that engagement reaches the sandbox. Six approvals per lifecycle (hire, fund, release,
 * co-signed end with escrow left), with webhooks (one lifecycle at a time, so nothing else competes) and feed-only
 * (all lifecycles at once: each waits for the feed's poll anyway). Beside it, on the webhook run's server, the
 * bare baseline: signal → one activity → state.
 */

const TYPES = ['proposal_hire', 'milestone_fund', 'milestone_approve', 'contract_end'];
const WEBHOOK_POLL_MS = 5;
const FEED_POLL_MS = 100;

interface ModeRun {
  mode: 'webhooks' | 'feed-only';
  samples: (ConfirmSample & { toRequestMs?: number })[];
  callsPerLifecycle: number;
  wallMs: number;
}

async function runMode(
  context: ScenarioContext,
  webhooks: boolean,
  lifecycles: number,
): Promise<{ run: ModeRun; baseline?: { toStateMs: number[]; toRequestMs: number[] } }> {
  const mode = webhooks ? 'webhooks' : 'feed-only';
  const stack = await BenchStack.start({
    root: context.root,
    webhooks,
    // --quick cannot wait for the default feed interval; the full run measures the product's default.
    feedPollIntervalMs: context.quick && !webhooks ? 1_000 : undefined,
    workers: webhooks ? ['engagement', 'bare'] : ['engagement'],
  });
  try {
    const proposals = [];
    for (let i = 0; i < lifecycles; i += 1)
      proposals.push((await stack.control.createProposal({ token: stack.token })).proposalId);
    await stack.control.clearRequests();
    const began = Date.now();
    let done = 0;
    const outcomes: LifecycleOutcome[] = await inParallel(
      proposals,
      webhooks ? 1 : lifecycles,
      async (proposalId) => {
        const outcome = await measuredLifecycle({
          engagements: stack.engagements,
          control: stack.control,
          proposalId,
          measurePollMs: webhooks ? WEBHOOK_POLL_MS : FEED_POLL_MS,
          waits: { timeoutMs: 300_000, intervalMs: webhooks ? 20 : 250 },
        });
        done += 1;
        if (done % 5 === 0 || done === lifecycles)
          context.progress(`  latency ${mode}: ${done}/${lifecycles} lifecycles`);
        return outcome;
      },
    );
    const wallMs = Date.now() - began;
    const requests = await stack.control.requests();
    const samples = outcomes.flatMap((outcome) => {
      const ids = [
        outcome.engagementId.replace(/^engagement-/, ''),
        ...(outcome.final.contractId ? [outcome.final.contractId] : []),
        ...outcome.final.milestones.map((m) => m.id),
        ...outcome.samples.map((s) => s.approvalId),
      ];
      return outcome.samples.map((s) => ({
        ...s,
        toRequestMs: msToNextRequest(requests, s.confirmedAtMs, ids),
      }));
    });
    const run: ModeRun = { mode, samples, callsPerLifecycle: requests.length / lifecycles, wallMs };
    if (!webhooks) return { run };
    context.progress(`  latency: bare baseline, ${samples.length} rounds`);
    await stack.control.clearRequests();
    const baseline = await measureBareRounds(stack.client, samples.length, WEBHOOK_POLL_MS, () =>
      stack.control.requests(),
    );
    return { run, baseline };
  } finally {
    await stack.stop();
  }
}

function row(mode: string, type: string, state: Spread, next: Spread): string[] {
  return [
    mode,
    type,
    String(state.n),
    fmt(state.p50),
    fmt(state.p90),
    fmt(state.p99),
    fmt(next.p50),
    fmt(next.p90),
    fmt(next.p99),
  ];
}

async function run(context: ScenarioContext): Promise<ScenarioResult> {
  const lifecycles =
    context.latencyLifecycles ?? (context.quick ? 2 : Math.ceil(200 / APPROVALS_PER_LIFECYCLE));
  const modes = context.latencyModes ?? ['webhooks', 'feed-only'];
  // The bare baseline runs on the webhook run's server: feed-only alone has no ratio to print.
  const withWebhooks = modes.includes('webhooks') ? await runMode(context, true, lifecycles) : undefined;
  const feedOnly = modes.includes('feed-only') ? await runMode(context, false, lifecycles) : undefined;
  const ran = [withWebhooks, feedOnly].flatMap((m) => (m ? [m.run] : []));
  const baseline = withWebhooks?.baseline ?? { toStateMs: [], toRequestMs: [] };
  const metrics: Record<string, number> = {};
  const rows: string[][] = [];
  const record = (key: string, state: Spread, next: Spread) => {
    for (const p of ['p50', 'p90', 'p99'] as const) {
      metrics[`${key}.state.${p}Ms`] = state[p];
      metrics[`${key}.nextRequest.${p}Ms`] = next[p];
    }
  };
  const baseState = spreadOf(baseline.toStateMs);
  const baseNext = spreadOf(baseline.toRequestMs);
  rows.push(row('bare baseline', 'signal → activity → state', baseState, baseNext));
  record('baseline', baseState, baseNext);
  const overall: Record<string, Spread> = {};
  for (const mode of ran) {
    for (const type of [...TYPES, 'all']) {
      const picked = mode.samples.filter((s) => type === 'all' || s.type === type);
      const state = spreadOf(picked.map((s) => s.toStateMs));
      const next = spreadOf(picked.flatMap((s) => (s.toRequestMs === undefined ? [] : [s.toRequestMs])));
      rows.push(row(mode.mode, type, state, next));
      record(`${mode.mode}.${type}`, state, next);
      if (type === 'all') overall[mode.mode] = state;
    }
    metrics[`${mode.mode}.callsPerLifecycle`] = mode.callsPerLifecycle;
    metrics[`${mode.mode}.wallMs`] = mode.wallMs;
  }
  const hooks = overall.webhooks;
  const feed = overall['feed-only'];
  metrics['webhooks.p50OverBaseline'] = (hooks?.p50 ?? NaN) / baseState.p50;
  metrics['webhooks.p99OverBaseline'] = (hooks?.p99 ?? NaN) / baseState.p99;
  const table = renderTable(
    `Latency (ms): human confirm → state query shows it / → next OpenTrain request naming the engagement. ` +
      `Webhooks: one lifecycle at a time, state read every ${WEBHOOK_POLL_MS} ms; feed-only: ${lifecycles} at once, ` +
      `read every ${FEED_POLL_MS} ms (the resolution); feed ${context.quick ? 'every 1 s (--quick)' : 'at its default interval'}`,
    ['mode', 'approval type', 'n', 'state p50', 'p90', 'p99', 'next req p50', 'p90', 'p99'],
    rows,
  );
  const ratios = renderTable(
    'Ours ÷ bare baseline (same server, same run)',
    ['mode', 'p50', 'p90', 'p99', 'calls/lifecycle', 'wall'],
    ran.map((m) => {
      const s = overall[m.mode];
      return [
        m.mode,
        ratio(s?.p50, baseState.p50),
        ratio(s?.p90, baseState.p90),
        ratio(s?.p99, baseState.p99),
        fmt(m.callsPerLifecycle, 1),
        `${fmt(m.wallMs / 1000, 1)} s`,
      ];
    }),
  );
  return {
    tables: [table, ratios],
    summary:
      `latency: webhooks p50 ${fmt(hooks?.p50)} ms / p99 ${fmt(hooks?.p99)} ms (${ratio(hooks?.p50, baseState.p50)} the bare ` +
      `${fmt(baseState.p50)} ms); feed-only p50 ${fmt(feed?.p50)} ms / p99 ${fmt(feed?.p99)} ms; ` +
      `${ran.reduce((n, m) => n + m.samples.length, 0)} approvals`,
    metrics,
  };
}

export const latency: Scenario = { name: 'latency', run };
