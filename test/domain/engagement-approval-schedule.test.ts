import {
  dueReminderOffsets,
  formatDuration,
  nextPollIntervalMs,
  nextReminderAtMs,
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
