import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { fmt, renderTable } from './stats';

/** A run's figures as JSON (bench/results/<date>-<time>.json), and the change between two runs. */

const savedRunSchema = z.object({
  startedAt: z.string(),
  quick: z.boolean(),
  commit: z.string().optional(),
  cpus: z.number(),
  load: z.object({ before: z.string(), after: z.string() }),
  scenarios: z.record(
    z.string(),
    z.object({
      wallMs: z.number(),
      summary: z.string(),
      metrics: z.record(z.string(), z.number().nullable()),
    }),
  ),
});
export type SavedRun = z.infer<typeof savedRunSchema>;

export function saveRun(dir: string, run: SavedRun): string {
  mkdirSync(dir, { recursive: true });
  const stamp = run.startedAt.replace(/:/g, '').replace(/\..*$/, '').replace('T', '-');
  const file = join(dir, `${stamp}${run.quick ? '-quick' : ''}.json`);
  // NaN (a figure nobody measured) becomes null in JSON.
  writeFileSync(file, `${JSON.stringify(run, null, 2)}\n`);
  return file;
}

export function loadRun(file: string): SavedRun {
  const parsed = savedRunSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is not a saved bench run: ${parsed.error.message}`);
  return parsed.data;
}

/** Every figure both runs have, per scenario: before, after, and the change in percent. */
export function renderComparison(before: SavedRun, after: SavedRun): string {
  const rows: string[][] = [];
  for (const [name, scenario] of Object.entries(after.scenarios)) {
    const old = before.scenarios[name];
    if (!old) continue;
    const metrics = { ...scenario.metrics, wallMs: scenario.wallMs };
    const oldMetrics: Record<string, number | null> = { ...old.metrics, wallMs: old.wallMs };
    for (const [key, value] of Object.entries(metrics)) {
      const was = oldMetrics[key];
      if (was === undefined) continue;
      const change =
        was === null || value === null || was === 0
          ? '-'
          : `${value >= was ? '+' : ''}${fmt(((value - was) / was) * 100, 1)}%`;
      rows.push([`${name}.${key}`, fmt(was ?? undefined, 2), fmt(value ?? undefined, 2), change]);
    }
  }
  return renderTable(
    `Change from ${before.startedAt} (${before.commit ?? '?'}, load ${before.load.before}) to ${after.startedAt} (${after.commit ?? '?'}, load ${after.load.before})`,
    ['figure', 'before', 'after', 'change'],
    rows,
  );
}
