import fc from 'fast-check';
import {
  approvalWaitStep,
  dueReminderOffsets,
  formatDuration,
  nextPollIntervalMs,
  nextReminderAtMs,
  type ApprovalWaitStep,
} from '../../domain/engagement-approval-schedule';

const HOUR = 3_600_000;
const policy = {
  pollIntervalMinMs: 5 * 60_000,
  pollIntervalMaxMs: 6 * HOUR,
  reminderOffsetsMs: [24 * HOUR, 4 * HOUR],
};
const window = { createdAtMs: 0, expiresAtMs: 72 * HOUR };

describe('approval schedule', () => {
  it('doubles the poll interval from the minimum up to the maximum', () => {
    const intervals = [policy.pollIntervalMinMs];
    for (let i = 0; i < 9; i += 1) intervals.push(nextPollIntervalMs(intervals.at(-1)!, policy));
    expect(intervals.map((ms) => ms / 60_000)).toEqual([5, 10, 20, 40, 80, 160, 320, 360, 360, 360]);
  });

  it('reminds at 48 h and 68 h of a 72 h approval, each once, never after expiry', () => {
    expect(nextReminderAtMs(window, 0, policy, [])).toBe(48 * HOUR);
    expect(dueReminderOffsets(window, 47 * HOUR, policy, [])).toEqual([]);
    expect(dueReminderOffsets(window, 48 * HOUR, policy, [])).toEqual([24 * HOUR]);
    expect(nextReminderAtMs(window, 48 * HOUR, policy, [24 * HOUR])).toBe(68 * HOUR);
    expect(dueReminderOffsets(window, 68 * HOUR, policy, [24 * HOUR])).toEqual([4 * HOUR]);
    expect(dueReminderOffsets(window, 72 * HOUR, policy, [])).toEqual([]);
    expect(nextReminderAtMs(window, 68 * HOUR, policy, [24 * HOUR, 4 * HOUR])).toBeUndefined();
  });

  it('skips reminder offsets longer than the approval lives', () => {
    const short = { createdAtMs: 0, expiresAtMs: 2 * HOUR };
    expect(dueReminderOffsets(short, 0, policy, [])).toEqual([]);
    expect(nextReminderAtMs(short, 0, policy, [])).toBeUndefined();
  });

  it('formats the time left for a person', () => {
    expect(formatDuration(72 * HOUR)).toBe('3d 0h');
    expect(formatDuration(4 * HOUR + 30 * 60_000)).toBe('4h 30m');
    expect(formatDuration(59_000)).toBe('1m');
    expect(formatDuration(-5)).toBe('0m');
  });
});

/**
 * The approval wait's step after a timer fired, whatever clock the workflow task carries. Found by the fault
 * suite: a worker applied a fired 5-minute poll timer with the clock of its previous workflow task (5 minutes
 * behind), decided "not due yet" and started another timer, while a replay of that history, with the task's real
 * clock, read the approval: nondeterminism. A fired timer is proof its moment came, so both must decide the same.
 */

/** Which commands a step leads to; a wait's timer length is not part of what a replay compares. */
function decision(step: ApprovalWaitStep) {
  return step.kind === 'wait' ? { kind: 'wait' } : step;
}

const states = fc.record({
  nextPollAtMs: fc.integer({ min: 1, max: 80 * HOUR }),
  expiryReadDue: fc.boolean(),
  remindersSentMs: fc.subarray([24 * HOUR, 4 * HOUR]),
  signalled: fc.constant(false),
});

it('decides at a fired deadline what the replay decides, however far the clock lags behind it', () => {
  fc.assert(
    fc.property(states, fc.integer({ min: 0, max: 80 * HOUR }), fc.nat(), (state, startedAtMs, lagSeed) => {
      const waited = approvalWaitStep(window, policy, state, startedAtMs, 0);
      fc.pre(waited.kind === 'wait' && waited.wakeAtMs < 80 * HOUR);
      if (waited.kind !== 'wait') return;
      // The timer fired at wakeAtMs; the replay's clock is at or after it, a lagging worker's anywhere before.
      const lagging = startedAtMs + (lagSeed % Math.max(1, waited.wakeAtMs - startedAtMs));
      const replayed = approvalWaitStep(window, policy, state, waited.wakeAtMs, waited.wakeAtMs);
      const live = approvalWaitStep(window, policy, state, lagging, waited.wakeAtMs);
      expect(decision(live)).toEqual(decision(replayed));
      expect(replayed.kind).not.toBe('wait');
    }),
    { numRuns: 2_000 },
  );
});

it('is the plain schedule when no timer fired: the clock alone decides', () => {
  const state = { nextPollAtMs: 10 * 60_000, expiryReadDue: true, remindersSentMs: [], signalled: false };
  expect(approvalWaitStep(window, policy, state, 9 * 60_000, 0)).toEqual({
    kind: 'wait',
    wakeAtMs: 10 * 60_000,
    inMs: 60_000,
  });
  expect(approvalWaitStep(window, policy, state, 10 * 60_000, 0)).toEqual({
    kind: 'read',
    expiryRead: false,
    pollDue: true,
  });
  expect(approvalWaitStep(window, policy, { ...state, signalled: true }, 0, 0).kind).toBe('read');
  expect(approvalWaitStep(window, policy, state, 48 * HOUR, 0)).toEqual({
    kind: 'remind',
    offsetsMs: [24 * HOUR],
  });
});
