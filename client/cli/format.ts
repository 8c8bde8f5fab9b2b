/** Small text formatting shared by the CLI's readable output. */

const usdFormat = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

export function usd(amount: number): string {
  return usdFormat.format(amount);
}

/** "2d 3h", "3h 12m", "4m", or "expired" — how long until `iso`, seen from `nowMs`. */
export function timeLeft(iso: string, nowMs: number): string {
  const ms = Date.parse(iso) - nowMs;
  if (!Number.isFinite(ms)) return 'unknown';
  if (ms <= 0) return 'expired';
  const minutes = Math.floor(ms / 60_000);
  const days = Math.floor(minutes / 1_440);
  const hours = Math.floor((minutes % 1_440) / 60);
  const mins = minutes % 60;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${mins}m`;
  return `${Math.max(mins, 1)}m`;
}

/** A plain left-aligned text table; empty cells print as "-". */
export function table(headers: string[], rows: (string | undefined | null)[][]): string {
  const cells = [
    headers,
    ...rows.map((row) => row.map((c) => (c === undefined || c === null || c === '' ? '-' : c))),
  ];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((c, i) => (c ?? '').padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
