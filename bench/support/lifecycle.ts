import { setTimeout as sleep } from 'node:timers/promises';
import type { EngagementClient } from '../../client/engagement-client';
import type { EngagementState, PendingApproval } from '../../domain/engagement-view';
import type { SandboxControl } from '../../sandbox/control-client';
import {
  libraryDriver,
  runLifecycle,
  type LifecycleDriver,
  type LifecycleWaits,
} from '../../test/e2e/support/lifecycle';

/**
 * The e2e suite's lifecycle (test/e2e/support/lifecycle.ts: hire with milestone 1 funded → release 1 → add, fund,
 * release 2 → add, fund 3 → co-signed end, six approvals) driven through the client library, with the human's
 * confirm measured: from the click to the engagement's `state` query showing its effect.
 */

export const APPROVALS_PER_LIFECYCLE = 6;

/**
 * A query that fails under load (the worker too busy to answer in time) is read again, a few times: at 200
 * lifecycles on 2 busy cores that happens, and it is the slowness the benchmark reports, not a broken lifecycle.
 */
export async function readPatiently<T>(read: () => Promise<T>, attempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await read();
    } catch (err) {
      if (attempt >= attempts) throw err;
      await sleep(500 * attempt);
    }
  }
}

export interface ConfirmSample {
  engagementId: string;
  approvalId: string;
  type: string;
  /** Date.now() just before the human's confirm was sent. */
  confirmedAtMs: number;
  /** Until the `state` query showed the effect. */
  toStateMs: number;
}

export interface LifecycleOutcome {
  engagementId: string;
  final: EngagementState;
  samples: ConfirmSample[];
}

/** What the engagement shows once the human's confirm of `approval` has reached it. */
export function showsEffect(approval: PendingApproval, state: EngagementState): boolean {
  if (state.pendingApprovals.some((a) => a.approvalId === approval.approvalId)) return false;
  const milestone = state.milestones.find((m) => m.id === approval.milestoneId);
  switch (approval.type) {
    case 'proposal_hire':
      return state.phase === 'active';
    case 'milestone_fund':
      return milestone?.status === 'ACTIVE_FUNDED';
    case 'milestone_approve':
      return milestone?.status === 'PAID';
    case 'contract_end':
      return state.phase === 'ended';
    default:
      return true;
  }
}

export interface MeasuredLifecycleOptions {
  engagements: EngagementClient;
  control: Pick<SandboxControl, 'confirmApproval'>;
  proposalId: string;
  /** How often the `state` query is read while the effect is awaited (the measurement's resolution). */
  measurePollMs: number;
  /** The human's think time before each confirm, e.g. random 0–500 ms; none by default. */
  humanDelayMs?: () => number;
  waits?: LifecycleWaits;
}

/** One lifecycle; every confirm waits (polling every `measurePollMs`) until its effect is visible. */
export async function measuredLifecycle(options: MeasuredLifecycleOptions): Promise<LifecycleOutcome> {
  const { engagements, control, measurePollMs, waits = {} } = options;
  const base = libraryDriver(engagements);
  const driver: LifecycleDriver = { ...base, state: (id) => readPatiently(() => base.state(id)) };
  let engagementId = '';
  const samples: ConfirmSample[] = [];
  const timeoutMs = waits.timeoutMs ?? 120_000;
  const timedControl = {
    confirmApproval: async (approvalId: string) => {
      const approval = (await driver.state(engagementId)).pendingApprovals.find(
        (a) => a.approvalId === approvalId,
      );
      if (!approval) throw new Error(`approval ${approvalId} is not pending on ${engagementId}`);
      const delay = options.humanDelayMs?.() ?? 0;
      if (delay > 0) await sleep(delay);
      const confirmedAtMs = Date.now();
      const confirmed = await control.confirmApproval(approvalId);
      const deadline = confirmedAtMs + timeoutMs;
      while (!showsEffect(approval, await driver.state(engagementId))) {
        if (Date.now() > deadline)
          throw new Error(`${approvalId} (${approval.type}) had no effect within ${timeoutMs} ms`);
        await sleep(measurePollMs);
      }
      samples.push({
        engagementId,
        approvalId,
        type: approval.type,
        confirmedAtMs,
        toStateMs: Date.now() - confirmedAtMs,
      });
      return confirmed;
    },
  };
  const recordingDriver: LifecycleDriver = {
    ...driver,
    start: async (proposalId) => (engagementId = await driver.start(proposalId)),
  };
  const { final } = await runLifecycle(recordingDriver, timedControl, options.proposalId, {
    timeoutMs,
    intervalMs: waits.intervalMs,
  });
  return { engagementId, final, samples };
}

/**
 * Runs `task` over `items` with at most `limit` in flight; results in input order. A failure fails the whole, but
 * only once every task has settled: nothing may still be calling a stack that the caller is about to stop.
 */
export async function inParallel<T, R>(
  items: T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  const failures: unknown[] = [];
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index] as T, index);
      } catch (err) {
        failures.push(err);
      }
    }
  });
  await Promise.all(lanes);
  if (failures.length > 0) {
    const first = failures[0];
    const message = first instanceof Error ? first.message : String(first);
    throw new Error(`${failures.length} of ${items.length} failed; the first: ${message}`, { cause: first });
  }
  return results;
}
