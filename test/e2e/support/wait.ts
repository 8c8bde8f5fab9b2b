import { setTimeout as sleep } from 'node:timers/promises';
import type { EngagementState } from '../../../domain/engagement-view';

/** Polls `read` until `pick` returns something; fails with the last state when the engagement cannot get there. */
export async function waitForState<T>(
  read: () => Promise<EngagementState>,
  what: string,
  pick: (state: EngagementState) => T | undefined,
  timeoutMs = 20_000,
  intervalMs = 150,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: EngagementState | undefined;
  while (Date.now() < deadline) {
    last = await read();
    const found = pick(last);
    if (found !== undefined) return found;
    if (last.phase === 'failed' || last.phase === 'blocked') break;
    await sleep(intervalMs);
  }
  throw new Error(`timed out waiting for ${what}; last state: ${JSON.stringify(last, null, 1)}`);
}

/** Asserts that nothing changes for a while (the negative half of "only X moves the engagement"). */
export async function expectStillAfter<T>(read: () => Promise<T>, ms: number): Promise<T> {
  const before = JSON.stringify(await read());
  await sleep(ms);
  const after = await read();
  if (JSON.stringify(after) !== before) throw new Error(`expected no change, got ${JSON.stringify(after)}`);
  return after;
}
