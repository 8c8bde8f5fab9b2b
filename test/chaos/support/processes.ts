import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Child processes the fault suite kills on purpose. Each runs in its own process group (detached), so a SIGKILL
 * to -pid takes everything it started with it, and nothing outlives the suite: afterAll kills every group still
 * alive, and so does an exit hook should Jest itself be torn down.
 */

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) signalGroup(child, 'SIGKILL');
  });
}

/** Output goes to `logFile` (appended) and, line by line as it comes, to `onOutput` (e.g. to see "ready"). */
export function spawnGroup(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; logFile: string; cwd?: string; onOutput?: (text: string) => void },
): ChildProcess {
  installExitHook();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  // A failed spawn (ENOENT…) is seen as an exit by the callers; without a listener it would throw.
  child.once('error', () => live.delete(child));
  const log = createWriteStream(options.logFile, { flags: 'a' });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      log.write(chunk);
      options.onOutput?.(chunk.toString('utf8'));
    });
  }
  child.once('close', () => log.end());
  return child;
}

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null && live.has(child);
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Resolves once the process has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (!isRunning(child)) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
}

/** SIGKILL the whole group and wait (bounded) until the leader has exited. */
export async function killGroup(child: ChildProcess): Promise<void> {
  signalGroup(child, 'SIGKILL');
  await within(exited(child), 10_000);
}

/** `promise`, or undefined after `ms`; the timer never outlives the race (no open handle left for Jest). */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  const timeout = new AbortController();
  try {
    return await Promise.race([promise, pause(ms, timeout.signal).then(() => undefined)]);
  } finally {
    timeout.abort();
  }
}

export async function killAll(): Promise<void> {
  await Promise.all([...live].map((child) => killGroup(child)));
}

/** A port that was free on 127.0.0.1 a moment ago (the server binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Sleep that ends early (without throwing) when `signal` aborts. */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  await sleep(Math.max(0, ms), undefined, { signal }).catch(() => undefined);
}

export function randomBetween(min: number, max: number): number {
  return min + Math.random() * (max - min);
}
