import { eventNeedsContractRead } from '../../domain/engagement-events';
import type { EngagementSnapshot } from '../../domain/engagement-model';
import type { IntentRecord } from '../../domain/intents';

/** Which OpenTrain events make the engagement read its contract again: only what its own moves do not explain. */

function snapshot(milestones: [string, string][], intents: Partial<IntentRecord>[] = []): EngagementSnapshot {
  return {
    milestones: milestones.map(([id, status]) => ({ id, status })),
    intents: intents.map((i) => ({ status: 'open', key: 'k', kind: 'fund', ...i })),
  } as unknown as EngagementSnapshot;
}
const event = (type: string, fields: { milestoneId?: string; status?: string } = {}) => ({
  eventId: '1',
  type,
  contractId: 'c_1',
  ...fields,
});
const changed = (milestoneId: string, status: string) =>
  event('milestone.status_changed', { milestoneId, status });

it('reads nothing for the events its own moves raise', () => {
  const funding = snapshot(
    [['m_2', 'NOT_FUNDED']],
    [{ kind: 'fund', move: { action: 'fund', milestoneId: 'm_2' } }],
  );
  expect(eventNeedsContractRead(funding, changed('m_2', 'ACTIVE_FUNDED'))).toBe(false);
  const releasing = snapshot(
    [['m_2', 'ACTIVE_FUNDED']],
    [{ kind: 'release', move: { action: 'release', milestoneId: 'm_2' } }],
  );
  expect(eventNeedsContractRead(releasing, changed('m_2', 'PAID'))).toBe(false);
  expect(eventNeedsContractRead(releasing, event('payment.pending', { milestoneId: 'm_2' }))).toBe(false);
  // Created by an add whose answer has not landed yet, or already held as created.
  const adding = snapshot([], [{ kind: 'add_milestone' }]);
  expect(eventNeedsContractRead(adding, changed('m_3', 'NOT_FUNDED'))).toBe(false);
  expect(eventNeedsContractRead(snapshot([['m_3', 'NOT_FUNDED']]), changed('m_3', 'NOT_FUNDED'))).toBe(false);
  // Late: the move settled and the state already shows what the event says.
  expect(eventNeedsContractRead(snapshot([['m_2', 'PAID']]), changed('m_2', 'PAID'))).toBe(false);
  expect(eventNeedsContractRead(snapshot([]), event('contract.budget_state_changed'))).toBe(false);
  const ending = snapshot([['m_2', 'ACTIVE_FUNDED']], [{ kind: 'end', move: { action: 'end' } }]);
  expect(eventNeedsContractRead(ending, changed('m_2', 'REFUNDED'))).toBe(false);
});

it('reads the contract when nothing of ours explains the event', () => {
  // The human funded m_2 in the app, without our request.
  expect(eventNeedsContractRead(snapshot([['m_2', 'NOT_FUNDED']]), changed('m_2', 'ACTIVE_FUNDED'))).toBe(
    true,
  );
  // A fund of ours does not explain a release, nor a move on another milestone.
  const funding = snapshot(
    [['m_2', 'NOT_FUNDED']],
    [{ kind: 'fund', move: { action: 'fund', milestoneId: 'm_2' } }],
  );
  expect(eventNeedsContractRead(funding, changed('m_2', 'PAID'))).toBe(true);
  expect(eventNeedsContractRead(funding, changed('m_1', 'ACTIVE_FUNDED'))).toBe(true);
  // A milestone nobody of ours is creating, a status we do not know, an event without the status.
  expect(eventNeedsContractRead(snapshot([]), changed('m_9', 'NOT_FUNDED'))).toBe(true);
  expect(eventNeedsContractRead(snapshot([['m_2', 'ACTIVE_FUNDED']]), changed('m_2', 'CANCELLED'))).toBe(
    true,
  );
  expect(eventNeedsContractRead(snapshot([]), event('milestone.status_changed'))).toBe(true);
  expect(eventNeedsContractRead(snapshot([]), event('payment.pending', { milestoneId: 'm_2' }))).toBe(true);
  expect(eventNeedsContractRead(snapshot([]), event('contract.created'))).toBe(true);
});
