import type { EngagementPolicy } from './inputs';

/**
 * When to poll an approval and when to remind the human: pure arithmetic on epoch milliseconds, used by the
 * workflow's one approval wait (workflows/approval-wait.ts).
 */

type SchedulePolicy = Pick<EngagementPolicy, 'pollIntervalMinMs' | 'pollIntervalMaxMs' | 'reminderOffsetsMs'>;

/** The fallback poll backs off: it doubles each time, bounded by the policy. */
export function nextPollIntervalMs(currentMs: number, policy: SchedulePolicy): number {
  return Math.min(Math.max(currentMs * 2, policy.pollIntervalMinMs), policy.pollIntervalMaxMs);
}

/** The reminder offsets that fall inside the approval's life (a 1 h approval gets no "24 h left" reminder). */
function offsetsWithin(
  window: { createdAtMs: number; expiresAtMs: number },
  policy: SchedulePolicy,
): number[] {
  return policy.reminderOffsetsMs.filter((offset) => window.expiresAtMs - offset > window.createdAtMs);
}

/** Reminder offsets whose moment has come (and the approval has not expired yet) and that were not sent. */
export function dueReminderOffsets(
  window: { createdAtMs: number; expiresAtMs: number },
  nowMs: number,
  policy: SchedulePolicy,
  sentMs: number[],
): number[] {
  if (nowMs >= window.expiresAtMs) return [];
  return offsetsWithin(window, policy).filter((o) => !sentMs.includes(o) && window.expiresAtMs - o <= nowMs);
}

/** The next moment a reminder is due, if any is left. */
export function nextReminderAtMs(
  window: { createdAtMs: number; expiresAtMs: number },
  nowMs: number,
  policy: SchedulePolicy,
  sentMs: number[],
): number | undefined {
  const times = offsetsWithin(window, policy)
    .filter((offset) => !sentMs.includes(offset))
    .map((offset) => window.expiresAtMs - offset)
    .filter((at) => at > nowMs);
  return times.length ? Math.min(...times) : undefined;
}

/** "2d 3h", "4h 0m", "12m": how a person reads the time left. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${mins}m`;
  return `${mins}m`;
}

/** Where the approval wait stands between two steps (workflows/approval-wait.ts keeps it). */
export interface ApprovalWaitState {
  nextPollAtMs: number;
  /** Once `expiresAt` has passed the approval is read once more (OpenTrain expires lazily). */
  expiryReadDue: boolean;
  remindersSentMs: number[];
  /** An `approvalResolved` signal arrived for it. */
  signalled: boolean;
}

export type ApprovalWaitStep =
  | { kind: 'remind'; offsetsMs: number[] }
  | { kind: 'read'; expiryRead: boolean; pollDue: boolean }
  | { kind: 'wait'; wakeAtMs: number; inMs: number };

/**
 * What the approval wait does next. `notBeforeMs` is the moment a timer that fired was set for: the firing proves
 * that moment has come even when the workflow task's clock lags it. The fault suite met workers that applied a
 * firing with the clock of their previous workflow task, minutes behind the replay's, and decided "not due yet";
 * with the floor, every clock a firing can meet decides what the replay decides.
 */
export function approvalWaitStep(
  window: { createdAtMs: number; expiresAtMs: number },
  policy: SchedulePolicy,
  state: ApprovalWaitState,
  clockMs: number,
  notBeforeMs: number,
): ApprovalWaitStep {
  const nowMs = Math.max(clockMs, notBeforeMs);
  const offsetsMs = dueReminderOffsets(window, nowMs, policy, state.remindersSentMs);
  if (offsetsMs.length) return { kind: 'remind', offsetsMs };
  const expiryRead = state.expiryReadDue && nowMs >= window.expiresAtMs;
  const pollDue = nowMs >= state.nextPollAtMs;
  if (state.signalled || expiryRead || pollDue) return { kind: 'read', expiryRead, pollDue };
  const wakeAtMs = Math.min(
    state.nextPollAtMs,
    state.expiryReadDue ? window.expiresAtMs : Number.POSITIVE_INFINITY,
    nextReminderAtMs(window, nowMs, policy, state.remindersSentMs) ?? Number.POSITIVE_INFINITY,
  );
  return { kind: 'wait', wakeAtMs, inMs: Math.max(1, wakeAtMs - nowMs) };
}
