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

/** Poll the `state` query until the predicate holds; the last state seen explains a timeout. */
export async function waitForState(
  handle: EngagementHandle,
  predicate: (s: EngagementState) => boolean,
  timeoutMs = 20_000,
): Promise<EngagementState> {
  let last: EngagementState | undefined;
  try {
    await waitUntil(async () => {
      last = await handle.query(stateQuery);
      return predicate(last);
    }, timeoutMs);
  } catch {
    throw new Error(`state never matched; last state: ${JSON.stringify(last, null, 2)}`);
  }
  return last as EngagementState;
}
