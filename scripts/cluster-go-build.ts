import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from './child-process';
import { GO_BINARIES, GO_TOOLCHAIN } from './temporal-binaries';

/**
 * The Go binaries behind `npm run cluster` (and CI's compose check), built once from the Go module proxy into
 * `<cache>/opentrain-engagements/<name>-<version>/` — staged in a temporary folder and renamed into place, so a
 * build that dies half-way (or a parallel one) never leaves a folder that looks finished. The Temporal server's
 * folder also keeps the module's PostgreSQL schema, so later runs need neither Go nor the module cache.
 */

export type GoModuleName = keyof typeof GO_BINARIES;
type BinaryOf<M extends GoModuleName> = keyof (typeof GO_BINARIES)[M]['binaries'] & string;

/** Where a user's own binary overrides ours. */
export const BINARY_PATH_ENV: Record<string, string> = {
  'temporal-server': 'TEMPORAL_SERVER_PATH',
  'temporal-sql-tool': 'TEMPORAL_SQL_TOOL_PATH',
  'temporal-ui-server': 'TEMPORAL_UI_SERVER_PATH',
  'docker-compose': 'DOCKER_COMPOSE_PATH',
};

export function goCacheDir(name: GoModuleName, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'opentrain-engagements', `${name}-${GO_BINARIES[name].version}`);
}

/** The folder of the server module's `schema/postgresql/v12` (copied beside the binaries at build time). */
export function temporalSchemaDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.TEMPORAL_SCHEMA_DIR || join(goCacheDir('temporal-server', env), 'schema', 'postgresql', 'v12');
}

function goEnv(env: NodeJS.ProcessEnv, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  // GOFLAGS from a surrounding project could turn `go install pkg@version` into something else.
  return { ...env, GOTOOLCHAIN: GO_TOOLCHAIN, GOFLAGS: '', GO111MODULE: 'on', ...extra };
}

/** `go install` every binary of the module into a staging folder, then rename it into the cache. */
async function build(name: GoModuleName, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  const target = goCacheDir(name, env);
  const { module, version, binaries } = GO_BINARIES[name];
  mkdirSync(join(target, '..'), { recursive: true });
  const staging = mkdtempSync(join(target, '..', `.staging-${name}-`));
  try {
    const started = Date.now();
    log(`building ${module}@${version} with ${GO_TOOLCHAIN} into ${target} (once; a few minutes)…`);
    const moduleDir = async () => {
      const json = await runCommand('go', ['mod', 'download', '-json', `${module}@${version}`], {
        cwd: staging,
        env: goEnv(env, {}),
      });
      return (JSON.parse(json) as { Dir: string }).Dir;
    };
    // A module whose go.mod only works as the main module is built from a writable copy of its own folder.
    const source = 'asMainModule' in GO_BINARIES[name] ? join(staging, 'src') : undefined;
    if (source) cpSync(await moduleDir(), source, { recursive: true });
    mkdirSync(join(staging, 'bin'), { recursive: true });
    for (const [binary, pkg] of Object.entries(binaries)) {
      const out = join(staging, 'bin', binary);
      await runCommand(
        'go',
        source ? ['build', '-o', out, `./${pkg}`] : ['install', `${module}/${pkg}@${version}`],
        {
          cwd: source ?? staging, // else outside any go.mod, so the pinned version is what gets built
          env: goEnv(env, { GOBIN: join(staging, 'go-bin') }),
          timeoutMs: 30 * 60_000,
        },
      );
      // `go install` names the binary after the package folder (`server`, `sql`): give it our name.
      if (!source) renameSync(join(staging, 'go-bin', pkg.split('/').pop() ?? pkg), out);
    }
    if (name === 'temporal-server') {
      cpSync(
        join(await moduleDir(), 'schema', 'postgresql', 'v12'),
        join(staging, 'schema', 'postgresql', 'v12'),
        {
          recursive: true,
        },
      );
    }
    for (const scratch of ['go-bin', 'src']) rmSync(join(staging, scratch), { recursive: true, force: true });
    if (existsSync(target)) rmSync(staging, { recursive: true, force: true });
    else renameSync(staging, target);
    log(`built ${module}@${version} in ${Math.round((Date.now() - started) / 1000)} s`);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

/**
 * The path of one binary: the user's own (its `…_PATH` variable), else the cached build, else built now. Fails
 * with what to do when Go is missing.
 */
export async function goBinary<M extends GoModuleName>(
  name: M,
  binary: BinaryOf<M>,
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = (line) => console.error(`[go-build] ${line}`),
): Promise<string> {
  const explicit = env[BINARY_PATH_ENV[binary] ?? ''];
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`${BINARY_PATH_ENV[binary]}=${explicit} does not exist`);
    return explicit;
  }
  const cached = join(goCacheDir(name, env), 'bin', binary);
  if (existsSync(cached)) return cached;
  await runCommand('go', ['version'], { env: goEnv(env, {}) }).catch(() => {
    throw new Error(
      `${binary} is not built yet and there is no \`go\` on PATH: install Go (apt-get install golang-go; ` +
        `it fetches ${GO_TOOLCHAIN} itself) or set ${BINARY_PATH_ENV[binary]} to your own binary.`,
    );
  });
  await build(name, env, log);
  return cached;
}

if (require.main === module) {
  // `ts-node scripts/cluster-go-build.ts docker-compose docker-compose` prints the path (building it if needed).
  const [name = 'temporal-server', binary = 'temporal-server'] = process.argv.slice(2);
  goBinary(name as GoModuleName, binary as never).then(
    (path) => console.log(path),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
