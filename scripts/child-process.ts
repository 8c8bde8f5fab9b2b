import { spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';

/** Child processes for the local stacks: one-shot commands that must succeed, and daemons with a log file. */

export interface CommandOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Give up (SIGKILL) after this long; default 10 minutes (a cold Go build is the slowest thing we run). */
  timeoutMs?: number;
}

/** Runs a command to completion; rejects with its last output lines when it fails. Resolves with its stdout. */
export function runCommand(command: string, args: string[], options: CommandOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(stdout);
      const tail = `${stderr}\n${stdout}`.trim().split('\n').slice(-8).join('\n');
      reject(
        new Error(`${command} ${args.slice(0, 3).join(' ')} failed (${signal ?? `exit ${code}`}):\n${tail}`),
      );
    });
  });
}

const ownGroup = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Starts a long-running process whose output goes to `logFile` (appended). `ownProcessGroup` keeps a terminal's
 * Ctrl-C away from it, so the parent stops things in order (workers drain while the server still runs); such a
 * child is killed when the parent exits, so none outlives it.
 */
export function startDaemon(
  command: string,
  args: string[],
  options: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string; ownProcessGroup?: boolean },
): ChildProcess {
  const log = openSync(options.logFile, 'a');
  const spawnOptions: SpawnOptions = {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', log, log],
    detached: options.ownProcessGroup ?? false,
  };
  const child = spawn(command, args, spawnOptions);
  closeSync(log); // the child holds its own descriptor
  if (options.ownProcessGroup) {
    ownGroup.add(child);
    child.once('exit', () => ownGroup.delete(child));
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once('exit', () => ownGroup.forEach((c) => c.kill('SIGKILL')));
    }
  }
  return child;
}

/** SIGTERM (or `signal`), then SIGKILL if it has not exited within `graceMs`. */
export function stopChild(
  child: ChildProcess,
  graceMs = 10_000,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.kill(signal);
  });
}

/** The last lines of a daemon's log, for an error message that says why it did not come up. */
export function logTail(logFile: string, lines = 6): string {
  if (!existsSync(logFile)) return '';
  const text = readFileSync(logFile, 'utf8').trim().split('\n').slice(-lines).join('\n');
  return `\n--- last lines of ${logFile} ---\n${text}`;
}
