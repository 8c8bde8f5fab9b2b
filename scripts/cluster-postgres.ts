import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './child-process';

/**
 * PostgreSQL for `npm run cluster`: Debian's server binaries, our own data directory, 127.0.0.1 and our own port.
 * PostgreSQL refuses to run as root, so as root the data directory belongs to the `postgres` system user and every
 * server command runs through `runuser`. One database role (`temporal`) with a generated password, kept in a 0600
 * file beside the data directory; connections go over TCP with scram-sha-256 only.
 */

export const POSTGRES_USER = 'temporal';
const PREFERRED_MAJOR = '15';
const SYSTEM_USER = 'postgres';

export interface PostgresOptions {
  /** Holds `postgres/` (the data directory), `postgres-run/` (socket), the log and the password file. */
  dir: string;
  port: number;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface RunningPostgres {
  host: string;
  port: number;
  user: string;
  password: string;
  passwordFile: string;
  /** Runs one SQL statement in `database`; rows as tab-separated lines. */
  query(database: string, sql: string): Promise<string>;
  stop(): Promise<void>;
}

const isRoot = () => process.getuid?.() === 0;

/** Debian's layout: /usr/lib/postgresql/<major>/bin, 15 when present, else the newest installed. */
function findBinDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.POSTGRES_BIN_DIR) return env.POSTGRES_BIN_DIR;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((major) => existsSync(join(root, major, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  const major = majors.includes(PREFERRED_MAJOR) ? PREFERRED_MAJOR : majors[0];
  return major ? join(root, major, 'bin') : undefined;
}

async function ensureInstalled(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<string> {
  const found = findBinDir(env);
  if (found) return found;
  if (!isRoot()) {
    throw new Error(
      'PostgreSQL server binaries not found under /usr/lib/postgresql/<version>/bin: install them with ' +
        '`sudo apt-get install postgresql` (or set POSTGRES_BIN_DIR to a folder holding initdb, pg_ctl and psql).',
    );
  }
  log('installing PostgreSQL (apt-get install postgresql)…');
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  await runCommand('apt-get', ['update', '-qq'], { env: aptEnv });
  await runCommand('apt-get', ['install', '-y', '-qq', 'postgresql'], { env: aptEnv });
  const installed = findBinDir(env);
  if (!installed) throw new Error('apt-get install postgresql finished but no initdb was found');
  return installed;
}

export async function startPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const binDir = await ensureInstalled(env, log);
  const dataDir = join(options.dir, 'postgres');
  const socketDir = join(options.dir, 'postgres-run');
  const logFile = join(options.dir, 'postgres.log');
  const passwordFile = join(options.dir, 'postgres-password');
  const asServerUser = (binary: string, args: string[]) =>
    isRoot()
      ? runCommand('runuser', ['-u', SYSTEM_USER, '--', join(binDir, binary), ...args], { env })
      : runCommand(join(binDir, binary), args, { env });

  mkdirSync(options.dir, { recursive: true });
  for (const dir of [dataDir, socketDir]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(logFile)) writeFileSync(logFile, '');
  if (isRoot()) {
    const { uid, gid } = systemUser(SYSTEM_USER);
    for (const path of [dataDir, socketDir, logFile]) chownSync(path, uid, gid);
    // The server user must reach its folders through ours.
    chmodSync(options.dir, 0o755);
  }
  chmodSync(dataDir, 0o700);

  if (!existsSync(passwordFile))
    writeFileSync(passwordFile, randomBytes(24).toString('base64url'), { mode: 0o600 });
  const password = readFileSync(passwordFile, 'utf8').trim();

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log(`initialising PostgreSQL in ${dataDir}`);
    // initdb reads the password from a file the server user can read; it is gone again right after.
    const initPasswordFile = join(socketDir, 'initdb-password');
    writeFileSync(initPasswordFile, password, { mode: 0o600 });
    if (isRoot()) chownSync(initPasswordFile, systemUser(SYSTEM_USER).uid, systemUser(SYSTEM_USER).gid);
    try {
      await asServerUser('initdb', [
        '-D',
        dataDir,
        '-U',
        POSTGRES_USER,
        `--pwfile=${initPasswordFile}`,
        '--auth=scram-sha-256',
        '-E',
        'UTF8',
        '--locale=C',
      ]);
    } finally {
      rmSync(initPasswordFile, { force: true });
    }
  }

  const running = await asServerUser('pg_ctl', ['-D', dataDir, 'status']).then(
    () => true,
    () => false,
  );
  if (running) log('PostgreSQL is already running on this data directory: using it');
  else {
    await asServerUser('pg_ctl', [
      '-D',
      dataDir,
      '-l',
      logFile,
      '-w',
      '-t',
      '60',
      '-o',
      `-p ${options.port} -k ${socketDir} -c listen_addresses=127.0.0.1`,
      'start',
    ]);
  }

  const host = '127.0.0.1';
  return {
    host,
    port: options.port,
    user: POSTGRES_USER,
    password,
    passwordFile,
    query: (database, sql) =>
      runCommand(
        join(binDir, 'psql'),
        [
          '-h',
          host,
          '-p',
          String(options.port),
          '-U',
          POSTGRES_USER,
          '-d',
          database,
          '-At',
          '-F',
          '\t',
          '-c',
          sql,
        ],
        { env: { ...env, PGPASSWORD: password } },
      ),
    stop: async () => {
      await asServerUser('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
    },
  };
}

/** uid/gid of a system user, from /etc/passwd (no native module needed). */
function systemUser(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${name}:`));
  if (!line) {
    throw new Error(
      `no \`${name}\` system user to run PostgreSQL as (apt-get install postgresql creates it)`,
    );
  }
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
