import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { logTail, runCommand, startDaemon, stopChild } from './child-process';
import { goBinary, temporalSchemaDir } from './cluster-go-build';
import type { RunningPostgres } from './cluster-postgres';
import { temporalIsUp } from './dev-server';
import { ensureNamespace, registerSearchAttributes } from './namespace-setup';
import { connectTemporal } from '../client/temporal-connection';

/**
 * The Temporal server itself (not the dev server) on PostgreSQL: schema for persistence and SQL advanced visibility
 * set up with the server's own SQL tool, the server started with deploy/temporal/cluster.yaml, then the namespace
 * and our search attributes. Every step is safe to repeat on a database that already has it.
 */

const REPO = resolve(__dirname, '..');
export const TEMPORAL_CONFIG_FILE = join(REPO, 'deploy', 'temporal', 'cluster.yaml');
export const TEMPORAL_DYNAMIC_CONFIG_FILE = join(REPO, 'deploy', 'temporal', 'dynamicconfig', 'cluster.yaml');

/** The frontend's port is the one users see; the others only need to be free. */
export interface TemporalPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
  serverMetrics: number;
}

/** The module's development-postgres12.yaml layout around a frontend port (7233 → 7234/7235/7239/7243, 6933…). */
export function defaultTemporalPorts(frontend = 7233): TemporalPorts {
  return {
    frontend,
    frontendHttp: frontend + 10,
    history: frontend + 1,
    matching: frontend + 2,
    worker: frontend + 6,
    frontendMembership: frontend - 300,
    historyMembership: frontend - 299,
    matchingMembership: frontend - 298,
    workerMembership: frontend - 294,
    serverMetrics: frontend + 767, // 8000 next to 7233, as in the module's config
  };
}

export const DATABASES = { persistence: 'temporal', visibility: 'temporal_visibility' } as const;

async function setUpSchema(postgres: RunningPostgres, env: NodeJS.ProcessEnv, log: (line: string) => void) {
  const sqlTool = await goBinary('temporal-server', 'temporal-sql-tool', env, log);
  const schemaDir = temporalSchemaDir(env);
  if (!existsSync(schemaDir)) {
    throw new Error(
      `no Temporal schema at ${schemaDir}: set TEMPORAL_SCHEMA_DIR to the server module's schema/postgresql/v12`,
    );
  }
  const toolEnv = {
    ...env,
    SQL_PLUGIN: 'postgres12',
    SQL_HOST: postgres.host,
    SQL_PORT: String(postgres.port),
    SQL_USER: postgres.user,
    SQL_PASSWORD: postgres.password,
  };
  for (const [part, database] of [
    ['temporal', DATABASES.persistence],
    ['visibility', DATABASES.visibility],
  ] as const) {
    const tool = (...args: string[]) => runCommand(sqlTool, ['--db', database, ...args], { env: toolEnv });
    const exists = await postgres.query(
      'postgres',
      `SELECT 1 FROM pg_database WHERE datname = '${database}'`,
    );
    if (!exists.trim()) await tool('create-database');
    const versioned = await postgres.query(
      database,
      "SELECT to_regclass('public.schema_version') IS NOT NULL",
    );
    if (versioned.trim() !== 't') await tool('setup-schema', '-v', '0.0');
    // Applies only the versions the database does not have yet: a no-op on a second run, an upgrade after a bump.
    await tool('update-schema', '-d', join(schemaDir, part, 'versioned'));
  }
}

export interface RunningTemporal {
  address: string;
  stop(): Promise<void>;
}

export async function startTemporalServer(options: {
  postgres: RunningPostgres;
  ports: TemporalPorts;
  namespace: string;
  retentionDays: number;
  logFile: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}): Promise<RunningTemporal> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const { postgres, ports } = options;
  const server = await goBinary('temporal-server', 'temporal-server', env, log);
  await setUpSchema(postgres, env, log);

  const child = startDaemon(server, ['--config-file', TEMPORAL_CONFIG_FILE, '--allow-no-auth', 'start'], {
    ownProcessGroup: true,
    logFile: options.logFile,
    env: {
      ...env,
      TEMPORAL_POSTGRES_PORT: String(postgres.port),
      TEMPORAL_POSTGRES_USER: postgres.user,
      TEMPORAL_POSTGRES_PASSWORD: postgres.password,
      TEMPORAL_DYNAMIC_CONFIG_FILE,
      TEMPORAL_FRONTEND_PORT: String(ports.frontend),
      TEMPORAL_FRONTEND_HTTP_PORT: String(ports.frontendHttp),
      TEMPORAL_FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
      TEMPORAL_HISTORY_PORT: String(ports.history),
      TEMPORAL_HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
      TEMPORAL_MATCHING_PORT: String(ports.matching),
      TEMPORAL_MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
      TEMPORAL_WORKER_PORT: String(ports.worker),
      TEMPORAL_WORKER_MEMBERSHIP_PORT: String(ports.workerMembership),
      TEMPORAL_SERVER_METRICS_PORT: String(ports.serverMetrics),
    },
  });
  const address = `127.0.0.1:${ports.frontend}`;
  const stop = () => stopChild(child, 20_000);
  try {
    const deadline = Date.now() + 120_000;
    while (!(await temporalIsUp(address))) {
      if (child.exitCode !== null)
        throw new Error(
          `temporal-server exited (${child.exitCode}); see ${options.logFile}${logTail(options.logFile)}`,
        );
      if (Date.now() > deadline)
        throw new Error(
          `temporal-server did not answer at ${address}; see ${options.logFile}${logTail(options.logFile)}`,
        );
      await sleep(500);
    }
    const connection = await connectTemporal({ address });
    try {
      await retryUntilReady(() => ensureNamespace(connection, options.namespace, options.retentionDays));
      await retryUntilReady(() => registerSearchAttributes(connection, options.namespace));
    } finally {
      await connection.close();
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { address, stop };
}

/** A fresh server answers gRPC before its history shards and system workers are up: retry for a while. */
async function retryUntilReady(step: () => Promise<void>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await step();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(1_000);
    }
  }
}
