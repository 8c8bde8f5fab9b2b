import { resolve } from 'node:path';
import { chaosConfig } from './support/config';
import { ChaosHarness, type ChaosRun } from './support/harness';
import { dumpUnfinished, summaryLine } from './support/report';

/**
 * Issue 8, "proof in CI": whole engagement lifecycles (start → hire co-signed → two milestones added with fund
 * → each funded → all three released → end) while worker processes are SIGKILLed every 4–10 s, the Temporal
 * server is SIGKILLed and restarted on its SQLite file, and OpenTrain answers 10% 5xx, 5% 429 and 10%
 * fail-after-commit. The agents repeat every failed call with the same idempotency key; the human confirms each
 * approval within 1.5 s, sometimes exactly while the agent backs off. What passes is read from OpenTrain's own
 * records: every contract ended, one execution per money move, no stray milestone, the budget held.
 *
 * CI size via `npm test`; `npm run chaos` runs 50 engagements with 2 server restarts.
 */

const config = chaosConfig();
const ROOT = resolve(__dirname, '../..');
let harness: ChaosHarness | undefined;
let run: ChaosRun | undefined;

beforeAll(async () => {
  harness = await ChaosHarness.start(config, ROOT);
  console.log(`chaos suite: ${harness.buildNote}; logs in ${harness.logDir}`);
}, 420_000);

afterAll(async () => {
  const failed = !run || run.verdict.problems.length > 0;
  await harness?.stop(failed);
  if (failed && harness) console.log(`chaos suite: server and worker logs kept in ${harness.logDir}`);
}, 120_000);

it(
  `${config.engagements} lifecycles end with every money move executed once, under kills, crashes and faults`,
  async () => {
    if (!harness) throw new Error('the chaos harness did not start');
    run = await harness.run();
    const { counts, verdict } = run;
    if (verdict.problems.length)
      console.log(`chaos suite found problems:\n${dumpUnfinished(run.agents, verdict, run.feedStatus)}`);
    if (run.humanRefusals.length)
      console.log(`the human could not confirm: ${JSON.stringify(run.humanRefusals)}`);
    console.log(summaryLine(counts, verdict));

    expect(verdict.problems).toEqual([]);
    expect(verdict.ended).toBe(config.engagements);
    expect(verdict.doubleExecutions).toBe(0);
    // The faults really happened, or the pass proves nothing.
    expect(counts.serverRestarts).toBeGreaterThanOrEqual(config.serverRestarts);
    expect(counts.workerKills).toBeGreaterThan(0);
    expect(verdict.status500).toBeGreaterThan(0);
    expect(verdict.status429).toBeGreaterThan(0);
  },
  config.deadlineMs + 240_000,
);
