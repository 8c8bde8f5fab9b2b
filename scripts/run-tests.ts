import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * `npm test`: every suite in parallel (Jest's 2 workers), then the fault suite on its own. The fault suite SIGKILLs
 * workers every few seconds and restarts the Temporal server; sharing 2 cores with server-backed suites, its
 * lifecycles spent their deadline waiting for CPU rather than proving anything. Arguments other than
 * `--json --outputFile=F` select tests and make it one plain Jest run; with `--outputFile`, the two runs' results
 * are written there as one report.
 */

const FAULT_SUITE = 'test/chaos/';

const args = process.argv.slice(2);
const outputFile = args.find((a) => a.startsWith('--outputFile='))?.slice('--outputFile='.length);
const selection = args.filter((a) => a !== '--json' && !a.startsWith('--outputFile='));

function jest(jestArgs: string[], report?: string): number {
  const reportArgs = report ? ['--json', `--outputFile=${report}`] : [];
  const run = spawnSync('npx', ['jest', ...jestArgs, ...reportArgs], { stdio: 'inherit' });
  return run.status ?? 1;
}

interface JestReport {
  success: boolean;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTotalTests: number;
  numPassedTestSuites: number;
  numFailedTestSuites: number;
  numTotalTestSuites: number;
  testResults: unknown[];
}

const COUNTS = [
  'numPassedTests',
  'numFailedTests',
  'numPendingTests',
  'numTotalTests',
  'numPassedTestSuites',
  'numFailedTestSuites',
  'numTotalTestSuites',
] as const;

function mergeReports(files: string[], into: string): void {
  // A run that crashed wrote no report: its failure is in the exit status.
  const reports = files
    .filter((f) => existsSync(f))
    .map((f) => JSON.parse(readFileSync(f, 'utf8')) as JestReport);
  const merged: Record<string, unknown> = { ...reports[0] };
  for (const key of COUNTS) merged[key] = reports.reduce((sum, r) => sum + (r[key] ?? 0), 0);
  merged.success = reports.every((r) => r.success);
  merged.testResults = reports.flatMap((r) => r.testResults);
  writeFileSync(into, JSON.stringify(merged));
  for (const f of files) rmSync(f, { force: true });
}

if (selection.length) process.exit(jest(selection, outputFile));

const parts = outputFile ? [`${outputFile}.suites.json`, `${outputFile}.faults.json`] : [];
const suites = jest(['--testPathIgnorePatterns', FAULT_SUITE], parts[0]);
const faults = jest([FAULT_SUITE, '--runInBand'], parts[1]);
if (outputFile) mergeReports(parts, outputFile);
process.exit(suites || faults);
