import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { devServerArgs, temporalIsUp } from '../../../scripts/dev-server';
import { resolveTemporalBinaries } from '../../../scripts/temporal-binaries';
import { exited, freePort, isRunning, killGroup, pause, randomBetween, spawnGroup } from './processes';

/**
 * The Temporal dev server with the product's own flags (scripts/dev-server.ts: SQLite file with WAL, search
 * attributes, updates enabled), spawned here rather than through startDevServer so that it can be SIGKILLed —
 * not asked to stop — and started again on the same database and port.
 */
export class KillableTemporalServer {
  restarts = 0;
  private child?: ChildProcess;

  private constructor(
    readonly address: string,
    private readonly args: string[],
    private readonly cliPath: string,
    private readonly logFile: string,
  ) {}

  static async create(dir: string): Promise<KillableTemporalServer> {
    const { cliPath } = resolveTemporalBinaries(process.env, () => undefined);
    if (!cliPath)
      throw new Error('No `temporal` CLI: set TEMPORAL_CLI_PATH or run npm run temporal:binaries');
    const port = await freePort();
    const args = [
      ...devServerArgs({
        dbFile: join(dir, 'temporal.db'),
        ip: '127.0.0.1',
        port,
        uiPort: await freePort(),
        namespace: 'default',
      }),
      // Nobody looks at the UI here; it would only take CPU from the run.
      '--headless',
    ];
    return new KillableTemporalServer(`127.0.0.1:${port}`, args, cliPath, join(dir, 'temporal.log'));
  }

  /** Starts the server and waits (bounded) until its frontend answers. */
  async start(): Promise<void> {
    const child = spawnGroup(this.cliPath, this.args, { env: process.env, logFile: this.logFile });
    this.child = child;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (!isRunning(child))
        throw new Error(`temporal server exited (${child.exitCode}); see ${this.logFile}`);
      if (await temporalIsUp(this.address)) return;
      await pause(250);
    }
    await killGroup(child);
    throw new Error(`Temporal dev server did not answer at ${this.address} within 60 s; see ${this.logFile}`);
  }

  /** SIGKILL, stay down for a while, start again on the same SQLite file. */
  async crashAndRestart(downtimeMs: { min: number; max: number }): Promise<void> {
    if (this.child) await killGroup(this.child);
    await pause(randomBetween(downtimeMs.min, downtimeMs.max));
    // A port still held by the dying process makes the first start fail; try again a few times.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.start();
        break;
      } catch (err) {
        if (attempt >= 3) throw err;
        await pause(1_000);
      }
    }
    this.restarts += 1;
  }

  async stop(): Promise<void> {
    if (!this.child) return;
    await killGroup(this.child);
    await exited(this.child);
  }
}
