import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { EngagementState } from '../../../domain/engagement-view';
import type { engagementWorkflow } from '../../../workflows';
import { stateQuery } from '../../../workflows/messages';

export type EngagementHandle = WorkflowHandleWithFirstExecutionRunId<typeof engagementWorkflow>;

const POLL_MS = 50;

/** Poll until the probe holds (real time: waiting on queries never skips server time). */
export async function waitUntil(probe: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error('condition never met');
}

/**
 * Poll the `state` query until the predicate holds. A query that fails (e.g. a worker busy under CI load) is
 * asked again; on timeout the last state and the last query error explain why.
 */
export async function waitForState(
  handle: EngagementHandle,
  predicate: (s: EngagementState) => boolean,
  timeoutMs = 20_000,
): Promise<EngagementState> {
  let last: EngagementState | undefined;
  let lastError: unknown;
  try {
    await waitUntil(async () => {
      try {
        last = await handle.query(stateQuery);
      } catch (err) {
        lastError = err;
        return false;
      }
      return predicate(last);
    }, timeoutMs);
  } catch {
    const why = lastError instanceof Error ? `; last query error: ${lastError.message}` : '';
    throw new Error(`state never matched${why}; last state: ${JSON.stringify(last, null, 2)}`);
  }
  return last as EngagementState;
}
