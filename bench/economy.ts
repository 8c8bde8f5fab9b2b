import { setTimeout as sleep } from 'node:timers/promises';
import { countByEndpoint } from '../scripts/sandbox-calls';
import { measuredLifecycle } from './support/lifecycle';
import type { Scenario, ScenarioContext, ScenarioResult } from './support/scenario';
import { BenchStack } from './support/stack';
import { fmt, mean, ratio, renderTable } from './support/stats';

/**
 * economy: OpenTrain calls per lifecycle (the sandbox's request log, by endpoint), one lifecycle at a time with
 * webhooks on, beside the fewest calls that lifecycle can be done with — derived step by step below.
 */

interface MinimumStep {
  step: string;
  calls: string[];
  why: string;
}

/** The lifecycle of test/e2e/support/lifecycle.ts, at the least: what each step must ask OpenTrain, and why. */
export const MINIMUM_STEPS: MinimumStep[] = [
  {
    step: 'preconditions',
    calls: ['GET /auth/me', 'GET /job-drafts/capabilities', 'GET /credits'],
    why: 'who the token is, whether it may hire, whether it can pay: one read each',
  },
  {
    step: 'hire (milestone 1 funded with it)',
    calls: ['POST /proposals/:id/hire'],
    why: 'the request the human co-signs',
  },
  {
    step: 'hire confirmed',
    calls: ['GET /approvals/:id', 'GET /contracts/:id'],
    why: 'the approval says what the human decided (edited terms, contract id); the contract gives the milestone ids',
  },
  {
    step: 'release milestone 1',
    calls: ['POST /milestones/:id/approve', 'GET /approvals/:id'],
    why: 'the request, then its outcome once the event says it was decided',
  },
  {
    step: 'add + fund milestone 2',
    calls: ['POST /contracts/:id/milestones', 'POST /milestones/:id/fund', 'GET /approvals/:id'],
    why: 'create, request funding, read the decided approval',
  },
  {
    step: 'release milestone 2',
    calls: ['POST /milestones/:id/approve', 'GET /approvals/:id'],
    why: 'as for milestone 1',
  },
  {
    step: 'add + fund milestone 3',
    calls: ['POST /contracts/:id/milestones', 'POST /milestones/:id/fund', 'GET /approvals/:id'],
    why: 'as for milestone 2',
  },
  {
    step: 'co-signed end (3 still funded)',
    calls: ['POST /contracts/:id/end', 'GET /approvals/:id', 'GET /contracts/:id'],
    why: 'the request, its decided approval, and the ended contract (which escrow went back)',
  },
];

function minimumByEndpoint(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const step of MINIMUM_STEPS)
    for (const call of step.calls) counts.set(call, (counts.get(call) ?? 0) + 1);
  return counts;
}

async function run(context: ScenarioContext): Promise<ScenarioResult> {
  const lifecycles = context.quick ? 1 : 3;
  const stack = await BenchStack.start({ root: context.root, webhooks: true, workers: ['engagement'] });
  const measured: Map<string, number>[] = [];
  try {
    for (let i = 0; i < lifecycles; i += 1) {
      const { proposalId } = await stack.control.createProposal({ token: stack.token });
      await stack.control.clearRequests();
      const { engagementId } = await measuredLifecycle({
        engagements: stack.engagements,
        control: stack.control,
        proposalId,
        measurePollMs: 20,
        waits: { timeoutMs: 300_000, intervalMs: 50 },
      });
      // The workflow returns after its last read; a moment more catches anything that trails it.
      await stack.client.workflow.getHandle(engagementId).result();
      await sleep(1_000);
      measured.push(countByEndpoint(await stack.control.requests()));
      context.progress(`  economy: lifecycle ${i + 1}/${lifecycles}`);
    }
  } finally {
    await stack.stop();
  }
  const minimum = minimumByEndpoint();
  const endpoints = [...new Set([...minimum.keys(), ...measured.flatMap((m) => [...m.keys()])])];
  const perLifecycle = (endpoint: string) => mean(measured.map((m) => m.get(endpoint) ?? 0));
  const minimumTotal = [...minimum.values()].reduce((a, b) => a + b, 0);
  const measuredTotal = endpoints.reduce((sum, e) => sum + perLifecycle(e), 0);
  const steps = renderTable(
    'The minimum, step by step (webhooks on: each decision arrives as a signed event)',
    ['step', 'calls', 'fewest', 'why'],
    [
      ...MINIMUM_STEPS.map((s) => [s.step, s.calls.join(', '), String(s.calls.length), s.why]),
      ['total', '', String(minimumTotal), ''],
    ],
  );
  const byEndpoint = renderTable(
    `OpenTrain calls per lifecycle by endpoint (mean of ${lifecycles}, one at a time, webhooks on)`,
    ['endpoint', 'measured', 'minimum', 'excess'],
    [
      ...endpoints.map((e) => [
        e,
        fmt(perLifecycle(e), 1),
        String(minimum.get(e) ?? 0),
        fmt(perLifecycle(e) - (minimum.get(e) ?? 0), 1),
      ]),
      [
        'total',
        fmt(measuredTotal, 1),
        String(minimumTotal),
        `${fmt(measuredTotal - minimumTotal, 1)} (${ratio(measuredTotal, minimumTotal)} the minimum)`,
      ],
    ],
  );
  const metrics: Record<string, number> = {
    callsPerLifecycle: measuredTotal,
    minimumCalls: minimumTotal,
    overMinimum: measuredTotal / minimumTotal,
  };
  for (const e of endpoints) metrics[`calls.${e}`] = perLifecycle(e);
  return {
    tables: [steps, byEndpoint],
    summary: `economy: ${fmt(measuredTotal, 1)} OpenTrain calls per lifecycle, minimum ${minimumTotal} (${ratio(measuredTotal, minimumTotal)})`,
    metrics,
  };
}

export const economy: Scenario = { name: 'economy', run };
