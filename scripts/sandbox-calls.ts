/** Counting the OpenTrain calls the sandbox recorded, per endpoint, for the demo's and the benchmark's reports. */

/** `GET /api/public/v1/approvals/apr_1f…?x=1` → `GET /approvals/:id`, so calls to one endpoint count together. */
function endpointOf(call: { method: string; path: string }): string {
  const path = (call.path.split('?')[0] ?? '')
    .replace('/api/public/v1', '')
    .replace(/\/[a-z]+_[A-Za-z0-9]+/g, '/:id');
  return `${call.method} ${path}`;
}

/** Calls per endpoint, in order of first appearance. */
export function countByEndpoint(calls: { method: string; path: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const call of calls) {
    const endpoint = endpointOf(call);
    counts.set(endpoint, (counts.get(endpoint) ?? 0) + 1);
  }
  return counts;
}

/** `3× GET /updates` entries, joined with `separator`. */
export function describeCounts(counts: Map<string, number>, separator: string): string {
  return [...counts].map(([endpoint, n]) => `${n}× ${endpoint}`).join(separator);
}
