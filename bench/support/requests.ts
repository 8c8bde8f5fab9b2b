import type { RecordedRequest } from '../../sandbox/traffic';

/** The sandbox's request log (times are when each answer left, on this process's clock), read for timings. */

export function atMs(request: RecordedRequest): number {
  return Date.parse(request.at);
}

/** The first request at or after `sinceMs` whose path names one of `ids`, as ms after `sinceMs`. */
export function msToNextRequest(
  requests: RecordedRequest[],
  sinceMs: number,
  ids: string[],
): number | undefined {
  const next = requests.find((r) => atMs(r) >= sinceMs && ids.some((id) => r.path.includes(id)));
  return next ? atMs(next) - sinceMs : undefined;
}
