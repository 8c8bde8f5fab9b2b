import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ensureBuilt } from '../test/chaos/support/build';
import { economy } from './economy';
import { latency } from './latency';
import { parked } from './parked';
import { loadRun, renderComparison, saveRun, type SavedRun } from './support/results';
import { LATENCY_MODES, type LatencyMode, type Scenario } from './support/scenario';
import { throughput } from './throughput';

/**
 * `npm run bench`: every scenario (or `--scenario <name>`), each printing its tables, a summary line and its wall
 * time; the figures are saved as JSON under bench/results/, and `--compare <file>` prints the change against a
 * saved run (`--against <file>` compares two saved runs without running anything). `--quick` is the CI smoke.
 */

const SCENARIOS: Scenario[] = [latency, throughput, economy, parked];
const ROOT = resolve(__dirname, '..');

interface Options {
  quick: boolean;
  scenario?: string[];
  compare?: string;
  against?: string;
  out: string;
  parkedBudgetMinutes?: number;
  throughputEngagements?: number;
  latencyModes?: LatencyMode[];
  latencyLifecycles?: number;
}

function loadNow(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

function commitNow(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

async function main(): Promise<void> {
  const options = new Command('bench')
    .option('--quick', 'small sizes, for the CI smoke', false)
    .addOption(new Option('--scenario <name...>', 'run only these').choices(SCENARIOS.map((s) => s.name)))
    .option('--compare <file>', 'print the change against this saved run')
    .option('--against <file>', 'with --compare: compare this saved run instead of running')
    .option('--out <dir>', 'where the JSON goes', join(ROOT, 'bench/results'))
    .option('--throughput-engagements <n>', 'throughput: lifecycles at once (default 200)', positiveInteger)
    .option(
      '--latency-lifecycles <n>',
      'latency: lifecycles per mode (default 34, 6 approvals each)',
      positiveInteger,
    )
    .addOption(
      new Option('--latency-modes <mode...>', 'latency: run only these modes').choices([...LATENCY_MODES]),
    )
    .option(
      '--parked-budget-minutes <m>',
      'parked: stop adding engagements after this long and measure the N reached',
      (v) => {
        const minutes = Number(v);
        if (!(minutes > 0)) throw new InvalidArgumentError('must be a positive number');
        return minutes;
      },
    )
    .parse(process.argv.slice(2), { from: 'user' })
    .opts<Options>();
  if (options.against) {
    if (!options.compare) throw new Error('--against needs --compare <file>');
    console.log(renderComparison(loadRun(options.compare), loadRun(options.against)));
    return;
  }
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  progress(ensureBuilt(ROOT));
  const run: SavedRun = {
    startedAt: new Date().toISOString(),
    quick: options.quick,
    commit: commitNow(),
    cpus: cpus().length,
    load: { before: loadNow(), after: '' },
    scenarios: {},
  };
  console.log(
    `npm run bench${options.quick ? ' --quick' : ''} at ${run.startedAt} on ${run.commit ?? 'an unknown commit'}: ` +
      `${run.cpus} cores, load average ${run.load.before} (shared machine: compare ratios)`,
  );
  const chosen = SCENARIOS.filter((s) => !options.scenario || options.scenario.includes(s.name));
  for (const scenario of chosen) {
    progress(`== ${scenario.name}`);
    const began = Date.now();
    const result = await scenario.run({
      root: ROOT,
      quick: options.quick,
      parkedBudgetMinutes: options.parkedBudgetMinutes,
      throughputEngagements: options.throughputEngagements,
      latencyModes: options.latencyModes,
      latencyLifecycles: options.latencyLifecycles,
      progress,
    });
    const wallMs = Date.now() - began;
    console.log(`\n== ${scenario.name}\n`);
    for (const table of result.tables) console.log(`${table}\n`);
    console.log(`${result.summary} — wall time ${(wallMs / 1000).toFixed(0)} s, load average ${loadNow()}`);
    run.scenarios[scenario.name] = { wallMs, summary: result.summary, metrics: result.metrics };
    // Saved after every scenario, so a long run stopped later keeps what it measured.
    run.load.after = loadNow();
    saveRun(options.out, run);
  }
  const file = saveRun(options.out, run);
  console.log(`\nresults: ${file} (load average at the end ${run.load.after})`);
  if (options.compare) console.log(`\n${renderComparison(loadRun(options.compare), run)}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
