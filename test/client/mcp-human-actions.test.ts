import { auditToCsv } from '../../client/audit/csv';
import { humanActions } from '../../client/mcp/human-actions';
import { sampleState } from './fake-engagements';

const NOW = Date.parse('2026-01-02T08:30:00.000Z');

describe('humanActions: what the human must do, first in every MCP result', () => {
  it('names the approval, its link and the time left; a re-request says the earlier one expired', () => {
    const state = sampleState();
    expect(humanActions(state, NOW)).toEqual([
      'ACTION FOR THE HUMAN: approve the funding of milestone m_2 ($80.50) plus the 10% fee at ' +
        'http://127.0.0.1:4010/approvals/apr_fund_2 — 49 h 30 min left (expires 2026-01-04T10:00:00.000Z).',
    ]);
    const again = sampleState({ pendingApprovals: [{ ...state.pendingApprovals[0]!, attempt: 2 }] });
    expect(humanActions(again, NOW)[0]).toMatch(/\(request 2: the earlier one expired\)\.$/);
  });

  it('gives each blocker its remedy and link, and says how to go on after a park', () => {
    const state = sampleState({
      pendingApprovals: [],
      blockers: [
        { kind: 'payment_method_required', message: 'No card on file', url: 'http://ot/billing' },
        { kind: 'not_fit_confirmation_required', message: 'The proposal is marked "Not a fit"' },
      ],
      parked: [{ action: 'fund', milestoneId: 'm_2', approvalId: 'apr_9', reason: 'declined' }],
    });
    expect(humanActions(state, NOW)).toEqual([
      'BLOCKED (payment_method_required): No card on file. Remedy: the human adds a payment method (or credits) ' +
        'at http://ot/billing, then call recheck_preconditions.',
      'BLOCKED (not_fit_confirmation_required): The proposal is marked "Not a fit". If the human still wants ' +
        'this trainer, call confirm_not_fit.',
      'PARKED: the fund of milestone m_2 was declined (approval apr_9). Ask the human whether to try again, then ' +
        'call retry with {"approvalId":"apr_9"}.',
    ]);
  });
});

it('auditToCsv quotes only the cells that need it', () => {
  const totals = { fundedUsd: 0, releasedUsd: 0, feesUsd: 0 };
  const csv = auditToCsv({
    engagementId: 'engagement-p',
    runs: ['r1'],
    entries: [
      {
        seq: 1,
        at: '2026-01-01T00:00:00.000Z',
        run: 1,
        kind: 'intent',
        operation: 'start',
        detail: 'a "b", c',
      },
    ],
    totals: { ...totals, refundedUsd: 0, refundedFeesUsd: 0 },
    state: totals,
  });
  expect(csv.split('\r\n')[1]).toBe('1,2026-01-01T00:00:00.000Z,1,intent,start,,,,,,,,,,,"a ""b"", c"');
});
