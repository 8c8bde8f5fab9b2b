import fc from 'fast-check';
import { centsToUsd, hireChargeCents, usdToCents } from '../../domain/money';
import { commandArbitraries } from './support/model-commands';
import { startModelSuite, type RunningModelSuite } from './support/model-suite';
import { EngagementSystem, type RunSetup } from './support/model-system';

/**
 * Model-based property test of the engagement workflow (issue 8): random interleavings of adding milestones (with
 * or without funding), funding, releasing, ending, retrying, duplicate deliveries (the same key through the same
 * or the other door) and keys reused with other arguments, against the human's random answers (confirm, decline,
 * expire; the hire also edited). After every command, once the engagement is quiet, every invariant is checked
 * (see support/model-invariants.ts); at the end the human confirms what is pending, the contract ends and every
 * intent must have settled. One dev server and one worker serve all runs; each run is a fresh engagement.
 *
 * MODEL_RUNS sets the number of runs (200 by default, as in CI); MODEL_LANES how many go side by side (4). To
 * replay a reported failure, give the `seed` and `path` fast-check prints as MODEL_SEED and MODEL_PATH, and the
 * commands' `replayPath` as MODEL_REPLAY (with the same MODEL_RUNS and MODEL_LANES).
 */

const RUNS = Number(process.env.MODEL_RUNS ?? 200);
const SEED = process.env.MODEL_SEED === undefined ? undefined : Number(process.env.MODEL_SEED);
const PATH = process.env.MODEL_PATH;
const REPLAY_PATH = process.env.MODEL_REPLAY;
const LANES = Number(process.env.MODEL_LANES ?? 4);
const MAX_COMMANDS = 12;

let suite: RunningModelSuite | undefined;

beforeAll(async () => {
  suite = await startModelSuite();
}, 120_000);

afterAll(async () => {
  await suite?.stop();
});

/** Amounts and a budget that sometimes binds; the human's edit stays within the budget (it is theirs to make). */
const setupArbitrary: fc.Arbitrary<RunSetup> = fc
  .record({
    firstAmountUsd: fc.integer({ min: 50, max: 300 }),
    hire: fc.record({
      expiries: fc.integer({ min: 0, max: 1 }),
      outcome: fc.oneof(
        { arbitrary: fc.constant('confirm' as const), weight: 5 },
        { arbitrary: fc.constant('edit' as const), weight: 4 },
        { arbitrary: fc.constant('decline' as const), weight: 1 },
      ),
      editUsd: fc.integer({ min: 50, max: 300 }),
    }),
    budgetHeadroomUsd: fc.option(fc.integer({ min: 0, max: 700 }), { nil: undefined, freq: 5 }),
    inDoubtAt: fc.uniqueArray(fc.integer({ min: 1, max: 10 }), { maxLength: 2 }),
    digestUpdateIds: fc.boolean(),
  })
  .map(({ budgetHeadroomUsd, ...setup }) => {
    const edited = setup.hire.outcome === 'edit' ? setup.hire.editUsd : setup.firstAmountUsd;
    const hireCents = Math.max(
      hireChargeCents(usdToCents(setup.firstAmountUsd)),
      hireChargeCents(usdToCents(edited)),
    );
    const budgetUsd =
      budgetHeadroomUsd === undefined ? undefined : centsToUsd(hireCents + budgetHeadroomUsd * 100);
    return { ...setup, budgetUsd };
  });

describe('engagement model (dev server, one worker, fast-check)', () => {
  it(
    `keeps every money move single and every intent settled over ${RUNS} random interleavings`,
    async () => {
      const shared = suite!;
      const started = Date.now();
      let runs = 0;
      let failed = false;
      // One property per lane: once any lane has found a failure, the other lanes pass their remaining runs without
      // running them, while the failing lane goes on shrinking its counterexample.
      const lane = () => {
        let shrinking = false;
        return fc.asyncProperty(
          setupArbitrary,
          fc.commands(commandArbitraries(), { maxCommands: MAX_COMMANDS, replayPath: REPLAY_PATH }),
          async (setup, commands) => {
            if (failed && !shrinking) return;
            runs += 1;
            const system = await EngagementSystem.start(shared, setup);
            try {
              const model = await system.hire(setup);
              await fc.asyncModelRun(() => ({ model, real: system }), commands);
              await system.settle(model);
            } catch (err) {
              failed = shrinking = true;
              throw system.withTrace(err);
            } finally {
              await system.close();
            }
          },
        );
      };
      // Lanes: independent fc.assert loops side by side. A run mostly waits on server round trips, so a few at once
      // multiply throughput; a replay (MODEL_SEED) runs alone.
      const lanes = SEED === undefined ? LANES : 1;
      const options = { numRuns: Math.ceil(RUNS / LANES), verbose: 1, seed: SEED, path: PATH };
      const results = await Promise.allSettled(
        Array.from({ length: lanes }, () => fc.assert(lane(), options)),
      );
      const seconds = (Date.now() - started) / 1000;
      console.log(
        `engagement model: ${runs} runs in ${seconds.toFixed(1)} s (${(runs / seconds).toFixed(2)} runs/s, ${lanes} lanes)`,
      );
      const coverage = [...shared.coverage].sort(([a], [b]) => a.localeCompare(b));
      console.log(`engagement model coverage: ${coverage.map(([what, n]) => `${what} ${n}`).join('; ')}`);
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) throw failure.reason;
    },
    Math.max(300_000, RUNS * 6_000),
  );
});
