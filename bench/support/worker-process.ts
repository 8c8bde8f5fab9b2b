import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exited, isRunning, killGroup, spawnGroup, within } from '../../test/chaos/support/processes';

/** Printed by worker-entry.ts once the worker is created and about to poll. */
export const READY_PREFIX = 'bench worker ready';

export type WorkerKind = 'engagement' | 'bare';

export interface WorkerProcessOptions {
  kind: WorkerKind;
  root: string;
  logDir: string;
  temporalAddress: string;
  openTrainBaseUrl: string;
  openTrainToken: string;
  maxCachedWorkflows?: number;
}

let clockTicksPerSecond: number | undefined;
function ticksPerSecond(): number {
  clockTicksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return clockTicksPerSecond;
}

/**
 * One benchmark worker in its own process group (the fault suite's spawnGroup), read from outside through
 * /proc/<pid>: CPU seconds (user + system, every thread, the Rust core's included) and resident memory.
 */
export class WorkerProcess {
  private stopping = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly kind: WorkerKind,
    /** What the worker reported: the product's default (WORKER_MAX_CACHED_WORKFLOWS) when nothing is forced. */
    readonly maxCachedWorkflows: number,
  ) {}

  static async start(options: WorkerProcessOptions): Promise<WorkerProcess> {
    let ready!: (line: string) => void;
    const isReady = new Promise<string>((resolve) => (ready = resolve));
    const child = spawnGroup(
      process.execPath,
      [
        // e.g. BENCH_WORKER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof': profiles every worker of the run.
        ...(process.env.BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
        '-r',
        'ts-node/register/transpile-only',
        join(options.root, 'bench/support/worker-entry.ts'),
      ],
      {
        cwd: options.root,
        env: {
          ...process.env,
          NODE_ENV: 'production',
          BENCH_WORKER_KIND: options.kind,
          BENCH_MAX_CACHED_WORKFLOWS: options.maxCachedWorkflows ? String(options.maxCachedWorkflows) : '',
          TEMPORAL_ADDRESS: options.temporalAddress,
          TEMPORAL_NAMESPACE: 'default',
          OPENTRAIN_API_BASE_URL: options.openTrainBaseUrl,
          OPENTRAIN_API_TOKEN: options.openTrainToken,
        },
        logFile: join(options.logDir, `worker-${options.kind}.log`),
        onOutput: (text) => {
          const line = text.split('\n').find((l) => l.startsWith(READY_PREFIX));
          if (line) ready(line);
        },
      },
    );
    const line = await within(Promise.race([isReady, exited(child).then(() => undefined)]), 120_000);
    if (!line) {
      await killGroup(child);
      throw new Error(
        `the ${options.kind} worker did not start; see ${options.logDir}/worker-${options.kind}.log`,
      );
    }
    const cache = Number(/maxCachedWorkflows=(\d+)/.exec(line)?.[1] ?? Number.NaN);
    return new WorkerProcess(child, options.kind, cache);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('worker has no pid');
    return this.child.pid;
  }

  /** User + system CPU seconds the process has used so far. */
  cpuSeconds(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is [0], utime [11], stime [12].
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  }

  /** Resident memory now and at its peak, in MiB. */
  memoryMiB(): { rss: number; peak: number } {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kib = (key: string) =>
      Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
  }

  /** Called once if the process ends without stop(): a crashed worker would leave the scenario waiting forever. */
  onUnexpectedExit(handler: (how: string) => void): void {
    void exited(this.child).then(() => {
      if (!this.stopping) handler(this.child.signalCode ?? `exit code ${this.child.exitCode}`);
    });
  }

  /** SIGTERM (the SDK drains and exits), SIGKILL after 15 s. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (!isRunning(this.child)) return;
    this.child.kill('SIGTERM');
    if (
      (await within(
        exited(this.child).then(() => true),
        15_000,
      )) === undefined
    )
      await killGroup(this.child);
  }
}
