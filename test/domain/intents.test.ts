import {
  fingerprintOf,
  intentKeyOfUpdateId,
  lookupIntent,
  openIntent,
  pruneIntents,
  settleIntent,
  updateIdFor,
  SETTLED_HARD_LIMIT,
  SETTLED_KEEP_COUNT,
  type IntentRecord,
} from '../../domain/intents';

const DAY = 24 * 60 * 60 * 1000;

describe('intents', () => {
  it('recognises a repeat by key and arguments, whatever the key order of the arguments', () => {
    const intents: IntentRecord[] = [];
    openIntent(
      intents,
      { key: 'k', kind: 'add_milestone', via: 'update', fingerprint: fingerprintOf({ a: 1, b: 2 }) },
      'now',
    );
    expect(lookupIntent(intents, 'k', 'add_milestone', fingerprintOf({ b: 2, a: 1 })).kind).toBe('repeat');
    expect(lookupIntent(intents, 'k', 'add_milestone', fingerprintOf({ a: 1, b: 3 })).kind).toBe('mismatch');
    expect(lookupIntent(intents, 'k', 'fund', fingerprintOf({ a: 1, b: 2 })).kind).toBe('mismatch');
    expect(lookupIntent(intents, 'other', 'add_milestone', fingerprintOf({ a: 1, b: 2 })).kind).toBe('new');
  });

  it('carries the key inside the updateId and reads it back; a plain updateId is its own key', () => {
    expect(intentKeyOfUpdateId(updateIdFor('my~key', 'abcdef0123456789ffff'))).toBe('my~key');
    expect(intentKeyOfUpdateId('plain-update-id')).toBe('plain-update-id');
  });

  it('keeps open intents, settled ones for 30 days or the newest 500, and never more than the hard limit', () => {
    const nowMs = Date.parse('2026-06-01T00:00:00Z');
    const intents: IntentRecord[] = [];
    const at = (ms: number) => new Date(ms).toISOString();
    openIntent(
      intents,
      { key: 'open', kind: 'fund', via: 'update', fingerprint: '{}' },
      at(nowMs - 90 * DAY),
    );
    for (let i = 0; i < 3_000; i += 1) {
      const intent = openIntent(
        intents,
        { key: `s${i}`, kind: 'fund', via: 'update', fingerprint: '{}' },
        at(0),
      );
      // The first 1,000 settled 60 days ago, the rest within the last 30 days.
      settleIntent(intent, 'confirmed', at(i < 1_000 ? nowMs - 60 * DAY + i : nowMs - DAY + i));
    }
    pruneIntents(intents, nowMs);
    expect(intents.some((i) => i.key === 'open')).toBe(true);
    const settled = intents.filter((i) => i.status === 'settled');
    expect(settled.length).toBe(SETTLED_HARD_LIMIT);
    expect(settled.length).toBeGreaterThanOrEqual(SETTLED_KEEP_COUNT);
    expect(settled.some((i) => i.key === 's2999')).toBe(true);
    expect(settled.some((i) => i.key === 's0')).toBe(false);
  });
});
