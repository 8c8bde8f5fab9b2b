import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The workers run the compiled product (`node lib/worker/main.js`, NODE_ENV=production, prebuilt workflow
 * bundle), as in production. CI runs `npm run build` before `npm test`; run alone, the suite builds lib/ itself
 * when it is missing or older than the sources, and says so.
 */

const SOURCE_DIRS = [
  'activities',
  'client',
  'domain',
  'opentrain',
  'sandbox',
  'scripts',
  'workflows',
  'worker',
];
const OUTPUTS = ['lib/worker/main.js', 'lib/workflow-bundle.js'];

function newestSourceMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMs(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Why lib/ must be built again, or undefined when it is up to date. */
export function staleReason(root: string): string | undefined {
  const missing = OUTPUTS.filter((file) => !existsSync(join(root, file)));
  if (missing.length) return `${missing.join(', ')} missing`;
  const builtMs = Math.min(...OUTPUTS.map((file) => statSync(join(root, file)).mtimeMs));
  const sourcesMs = Math.max(...SOURCE_DIRS.map((dir) => newestSourceMs(join(root, dir))));
  return sourcesMs > builtMs ? 'lib/ is older than the sources' : undefined;
}

/** Builds lib/ when needed; returns what it did, for the suite's log. */
export function ensureBuilt(root: string): string {
  const reason = staleReason(root);
  if (!reason) return 'lib/ is up to date';
  const started = Date.now();
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`npm run build failed (${reason}), so the workers cannot start:\n${output}`);
  }
  return `built lib/ (${reason}) in ${Math.round((Date.now() - started) / 1000)} s`;
}
