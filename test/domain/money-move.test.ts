import fc from 'fast-check';
import {
  classifyRequestFailure,
  decideAfterRead,
  doubtBackoffMs,
  type MoveAction,
} from '../../domain/money-move';

const serverError = { status: 500, message: 'HTTP 500' };
const conflict = (type: string) => ({ status: 409, type, message: `409 ${type}` });

describe('classifying a failed request', () => {
  it('calls 5xx, 429, timeouts, resets and broken bodies in doubt, and every 409', () => {
    expect(classifyRequestFailure(serverError)).toBe('in_doubt');
    expect(classifyRequestFailure({ status: 429, message: 'slow down' })).toBe('in_doubt');
    expect(classifyRequestFailure({ type: 'TIMEOUT', message: 'timed out' })).toBe('in_doubt');
    expect(classifyRequestFailure({ type: 'OpenTrainResponseError', message: 'schema' })).toBe('in_doubt');
    expect(classifyRequestFailure(conflict('milestone_not_funded'))).toBe('in_doubt');
  });

  it('calls 401/403/404 an access problem and any other 4xx a refusal', () => {
    for (const status of [401, 403, 404])
      expect(classifyRequestFailure({ status, message: '' })).toBe('access');
    expect(classifyRequestFailure({ type: 'UNAUTHORIZED', message: '' })).toBe('access');
    expect(classifyRequestFailure({ status: 400, type: 'BAD_REQUEST', message: '' })).toBe('refused');
  });
});

describe('deciding from OpenTrain state after an in-doubt answer', () => {
  it('settles the release that committed before the human confirmed (409 milestone_not_funded, PAID)', () => {
    const move = { action: 'release' as const, milestoneId: 'm' };
    expect(
      decideAfterRead(move, conflict('milestone_not_funded'), {
        contractStatus: 'active',
        milestoneStatus: 'PAID',
      }),
    ).toEqual({ kind: 'done' });
  });

  it('asks again only when nothing happened and the answer was not a refusal', () => {
    const fund = { action: 'fund' as const, milestoneId: 'm' };
    expect(
      decideAfterRead(fund, serverError, { contractStatus: 'active', milestoneStatus: 'NOT_FUNDED' }),
    ).toEqual({ kind: 'request_again' });
    expect(
      decideAfterRead(fund, conflict('payment_method_required'), {
        contractStatus: 'active',
        milestoneStatus: 'NOT_FUNDED',
      }),
    ).toEqual({ kind: 'refused' });
    expect(
      decideAfterRead(fund, serverError, { contractStatus: 'active', milestoneStatus: 'ACTIVE_FUNDED' }),
    ).toEqual({ kind: 'done' });
  });

  it('never asks again for a move OpenTrain shows done, withdrawn or on an ended contract', () => {
    const statuses = ['NOT_FUNDED', 'ACTIVE_FUNDED', 'PAID', 'CANCELLED', 'REFUNDED', undefined];
    fc.assert(
      fc.property(
        fc.constantFrom<MoveAction>('fund', 'release', 'end'),
        fc.constantFrom(...statuses),
        fc.constantFrom('active', 'ended'),
        fc.constantFrom(serverError, conflict('milestone_not_fundable'), conflict('contract_ended')),
        (action, milestoneStatus, contractStatus, failure) => {
          const decision = decideAfterRead({ action, milestoneId: 'm' }, failure, {
            contractStatus,
            milestoneStatus,
          });
          const done =
            (action === 'fund' && (milestoneStatus === 'ACTIVE_FUNDED' || milestoneStatus === 'PAID')) ||
            (action === 'release' && milestoneStatus === 'PAID') ||
            (action === 'end' && contractStatus === 'ended');
          const gone =
            action !== 'end' &&
            (milestoneStatus === undefined ||
              milestoneStatus === 'CANCELLED' ||
              milestoneStatus === 'REFUNDED');
          if (done || gone || contractStatus === 'ended') expect(decision.kind).not.toBe('request_again');
          if (decision.kind === 'request_again') expect(failure.status).not.toBe(409);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('backs off from 1 minute, doubling, to at most an hour', () => {
    expect([1, 2, 3, 10].map(doubtBackoffMs)).toEqual([60_000, 120_000, 240_000, 3_600_000]);
  });
});
