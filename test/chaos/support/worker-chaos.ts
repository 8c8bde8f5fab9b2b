import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { exited, isRunning, killGroup, pause, randomBetween, spawnGroup, within } from './processes';

/** worker/main.ts prints this once the worker is created (bundle loaded) and about to poll. */
const READY_LINE = 'engagement worker polling';
/** A start slower than this (a starved machine) is killed and counted, not waited for. */
const READY_TIMEOUT_MS = 60_000;

export interface WorkerChaosOptions {
  root: string;
  logDir: string;
  count: number;
  lifetimeMs: { min: number; max: number };
  env: NodeJS.ProcessEnv;
  /** Hard end of every slot's loop, even if nobody calls stop(). */
  untilMs: number;
}

/**
 * `count` slots, each running one `node lib/worker/main.js` at a time: started, SIGKILLed after a random
 * lifetime, started again at once. Workers die mid-activity and mid-workflow-task, and their sticky caches go
 * with them, which is what production crashes do.
 */
export class WorkerChaos {
  kills = 0;
  /** Starts that never reported ready within READY_TIMEOUT_MS. */
  slowStarts = 0;
  /** Workers that exited before their kill, e.g. because the server was down when they connected. */
  exitedOnTheirOwn = 0;
  started = 0;
  private readonly stopping = new AbortController();
  private readonly children = new Set<ChildProcess>();
  private loops: Promise<void>[] = [];

  constructor(private readonly options: WorkerChaosOptions) {}

  start(): void {
    this.loops = Array.from({ length: this.options.count }, (_, slot) => this.runSlot(slot));
  }

  private async runSlot(slot: number): Promise<void> {
    const { signal } = this.stopping;
    // Staggered, so the slots do not die in step and some worker is usually polling.
    await pause(slot * 1_500, signal);
    while (!signal.aborted && Date.now() < this.options.untilMs) {
      let ready!: () => void;
      const isReady = new Promise<void>((resolve) => (ready = resolve));
      const child = spawnGroup(process.execPath, [join(this.options.root, 'lib/worker/main.js')], {
        cwd: this.options.root,
        env: this.options.env,
        logFile: join(this.options.logDir, `worker-${slot}.log`),
        onOutput: (text) => text.includes(READY_LINE) && ready(),
      });
      this.started += 1;
      this.children.add(child);
      // The lifetime counts from "ready": on a busy machine a start takes seconds, and a worker killed before
      // it ever polled would test nothing.
      const up = await within(
        Promise.race([isReady.then(() => true), exited(child).then(() => false)]),
        READY_TIMEOUT_MS,
      );
      if (up === undefined) this.slowStarts += 1;
      const lifetime = up ? randomBetween(this.options.lifetimeMs.min, this.options.lifetimeMs.max) : 0;
      await Promise.race([exited(child), pause(lifetime, signal)]);
      if (isRunning(child)) {
        await killGroup(child);
        if (!signal.aborted) this.kills += 1;
      } else {
        this.exitedOnTheirOwn += 1;
        // Do not spin when every start fails (server down): it comes back within seconds.
        await pause(500, signal);
      }
      this.children.delete(child);
    }
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.all([...this.children].map((child) => killGroup(child)));
    await Promise.all(this.loops);
  }
}
