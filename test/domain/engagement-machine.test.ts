import { EngagementRuleError } from '../../domain/engagement-errors';
import { EngagementMachine } from '../../domain/engagement-machine';
import { APPROVAL_TYPE_BY_ACTION, type ApprovalAction } from '../../domain/engagement-model';
import { toEngagementState } from '../../domain/engagement-projection';
import { engagementStateSchema } from '../../domain/engagement-view';
import { engagementPolicySchema } from '../../domain/inputs';
import {
  approvalSnapshot as approval,
  contractSnapshot as contract,
  milestoneSnapshot as milestone,
} from './snapshot-fixtures';

const NOW = '2026-06-12T10:00:00.000Z';
const policy = engagementPolicySchema.parse({});

function machine(budgetCents?: number): EngagementMachine {
  return EngagementMachine.create(
    {
      engagementId: 'engagement-p_1',
      proposalId: 'p_1',
      policy,
      budgetCents,
      firstMilestone: { description: 'first', amountCents: 300_00 },
    },
    NOW,
  );
}

/** Hired with the human's edited first milestone (250 instead of the requested 300). */
function hired(budgetCents?: number): EngagementMachine {
  const m = machine(budgetCents);
  m.hireRequested(NOW, approval('apr_1', 'proposal_hire'));
  m.approvalClosed(NOW, approval('apr_1', 'proposal_hire', 'confirmed', { result: { contractId: 'c_1' } }));
  m.hired(NOW, contract([milestone('m_1', 250_00, 'ACTIVE_FUNDED', 1)]));
  return m;
}

/** A fund, release or end approval requested, then (unless `pending`) resolved by the human with `status`. */
function coSign(
  m: EngagementMachine,
  action: Exclude<ApprovalAction, 'hire'>,
  approvalId: string,
  status: string,
  options: { milestoneId?: string; result?: Record<string, unknown> } = {},
): void {
  const type = APPROVAL_TYPE_BY_ACTION[action];
  const milestoneId = options.milestoneId ?? null;
  m.approvalRequested(
    NOW,
    action,
    approval(approvalId, type, 'pending', { milestoneId }),
    1,
    options.milestoneId,
  );
  if (status !== 'pending')
    m.approvalClosed(
      NOW,
      approval(approvalId, type, status, { milestoneId, result: options.result ?? null }),
    );
}

function ruleCode(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    if (err instanceof EngagementRuleError) return err.code;
    throw err;
  }
}

describe('EngagementMachine', () => {
  it('adopts the contract as the human confirmed it and becomes active', () => {
    const m = hired();
    const view = toEngagementState(m.snapshot);
    expect(view.phase).toBe('active');
    expect(view.milestones).toEqual([
      expect.objectContaining({ id: 'm_1', amountUsd: 250, status: 'ACTIVE_FUNDED' }),
    ]);
    expect(view.totals).toEqual({ fundedUsd: 250, releasedUsd: 0, feesUsd: 25 + 9.95 });
    expect(view.pendingApprovals).toEqual([]);
    expect(engagementStateSchema.parse(view)).toEqual(view);
  });

  it('refuses milestone work before the contract is active and anything once the engagement is closed', () => {
    const m = machine();
    expect(ruleCode(() => m.checkAddMilestone(100, false))).toBe('contract_not_active');
    expect(ruleCode(() => m.checkFund('m_1'))).toBe('contract_not_active');
    m.fail(NOW, 'declined');
    expect(ruleCode(() => m.checkConfirmNotFit())).toBe('engagement_closed');
    expect(ruleCode(() => m.checkRetry({ approvalId: 'apr_1' }))).toBe('engagement_closed');
  });

  it('guards fund and release by milestone status', () => {
    const m = hired();
    m.milestoneCreated(NOW, milestone('m_2', 100_00, 'NOT_FUNDED', 2));
    expect(ruleCode(() => m.checkFund('m_404'))).toBe('unknown_milestone');
    expect(ruleCode(() => m.checkFund('m_1'))).toBe('milestone_not_fundable');
    expect(ruleCode(() => m.checkRelease('m_2'))).toBe('milestone_not_funded');
    expect(ruleCode(() => m.checkFund('m_2'))).toBeUndefined();
    expect(ruleCode(() => m.checkRelease('m_1'))).toBeUndefined();
    m.beginOperation('fund:m_2');
    expect(ruleCode(() => m.checkFund('m_2'))).toBe('already_in_progress');
  });

  it('counts the hire charge, fees and reserved fundings against the budget', () => {
    // Hire: 250 + 25 + 9.95 = 284.95 committed.
    const m = hired(400_00);
    expect(m.committedCents()).toBe(284_95);
    m.milestoneCreated(NOW, milestone('m_2', 100_00, 'NOT_FUNDED', 2));
    m.milestoneCreated(NOW, milestone('m_3', 5_00, 'NOT_FUNDED', 3));
    expect(ruleCode(() => m.checkFund('m_2'))).toBeUndefined(); // 284.95 + 110 = 394.95
    m.reserveFunding('m_2');
    expect(m.committedCents()).toBe(394_95);
    expect(ruleCode(() => m.checkFund('m_3'))).toBe('budget_exceeded'); // + 5.50 = 400.45
    // A declined funding frees its reservation.
    coSign(m, 'fund', 'apr_2', 'declined', { milestoneId: 'm_2' });
    expect(m.committedCents()).toBe(284_95);
    expect(ruleCode(() => m.checkFund('m_3'))).toBeUndefined();
  });

  it('records evidence of confirmed fund and release, and the end', () => {
    const m = hired();
    m.milestoneCreated(NOW, milestone('m_2', 100_00, 'NOT_FUNDED', 2));
    coSign(m, 'fund', 'apr_2', 'confirmed', {
      milestoneId: 'm_2',
      result: { invoiceId: 'inv_1', paymentIntentId: 'pi_1' },
    });
    coSign(m, 'release', 'apr_3', 'confirmed', {
      milestoneId: 'm_2',
      result: { invoiceId: 'inv_1', payoutTransactionId: 'po_1' },
    });
    const view = toEngagementState(m.snapshot);
    expect(view.milestones[1]).toMatchObject({
      status: 'PAID',
      fundApprovalId: 'apr_2',
      releaseApprovalId: 'apr_3',
      evidence: { invoiceId: 'inv_1', paymentIntentId: 'pi_1', payoutTransactionId: 'po_1' },
    });
    expect(view.totals).toEqual({ fundedUsd: 350, releasedUsd: 100, feesUsd: 25 + 9.95 + 10 });

    coSign(m, 'end', 'apr_4', 'pending');
    expect(m.phase).toBe('awaiting_end_approval');
    expect(ruleCode(() => m.checkFund('m_2'))).toBe('contract_not_active');
    m.approvalClosed(NOW, approval('apr_4', 'contract_end', 'declined'));
    expect(m.phase).toBe('active');
    coSign(m, 'end', 'apr_5', 'confirmed', { result: { contractEnded: true } });
    expect(m.phase).toBe('ended');
  });

  it('settles the milestones after the end: a funded one no longer listed was refunded, listed ones take their status', () => {
    const m = hired();
    m.milestoneCreated(NOW, milestone('m_2', 100_00, 'NOT_FUNDED', 2));
    m.milestoneCreated(NOW, milestone('m_3', 40_00, 'NOT_FUNDED', 3));
    coSign(m, 'fund', 'apr_2', 'confirmed', { milestoneId: 'm_2' });
    coSign(m, 'release', 'apr_3', 'confirmed', { milestoneId: 'm_2' });
    m.milestoneCreated(NOW, milestone('m_4', 10_00, 'NOT_FUNDED', 4));
    coSign(m, 'fund', 'apr_4', 'confirmed', { milestoneId: 'm_4' });
    coSign(m, 'fund', 'apr_6', 'pending', { milestoneId: 'm_3' });
    coSign(m, 'end', 'apr_5', 'confirmed', { result: { contractEnded: true } });
    // Before the read: m_1 (250) and m_4 (10) are still held as funded, m_3's funding still pending.
    expect(m.pendingApprovals().map((p) => p.approvalId)).toEqual(['apr_6']);
    expect(toEngagementState(m.snapshot).totals).toEqual({
      fundedUsd: 360,
      releasedUsd: 100,
      feesUsd: 25 + 9.95 + 10 + 1,
    });

    // The timeline after the end: m_1 and m_4 refunded (dropped), m_2 paid, m_3 still unfunded, m_4 listed as
    // paid because the human released it in the app just before the end.
    m.reconcileEnded(
      NOW,
      contract(
        [
          milestone('m_2', 100_00, 'PAID', 2),
          milestone('m_3', 40_00, 'NOT_FUNDED', 3),
          milestone('m_4', 10_00, 'PAID', 4),
        ],
        'ended',
      ),
    );
    const view = toEngagementState(m.snapshot);
    expect(view.milestones.map((x) => [x.id, x.status])).toEqual([
      ['m_1', 'REFUNDED'],
      ['m_2', 'PAID'],
      ['m_3', 'NOT_FUNDED'],
      ['m_4', 'PAID'],
    ]);
    // Funded now means funded and not refunded: what was paid out. The refunded hire took its fees with it.
    expect(view.totals).toEqual({ fundedUsd: 110, releasedUsd: 110, feesUsd: 10 + 1 });
    expect(view.totals.fundedUsd).toBe(view.totals.releasedUsd);
    // The funding still pending at the end can never execute: nothing is left to wait for.
    expect(view.pendingApprovals).toEqual([]);
    expect(m.nextApprovalExpiry()).toBeUndefined();
    expect(m.noteResolution('apr_6', 'confirmed')).toBe('stale');
    expect(view.history.map((h) => h.detail)).toContain('milestone m_1 is REFUNDED after the end');
    expect(engagementStateSchema.parse(view)).toEqual(view);
  });

  it('requests an expired hire again up to the policy limit, then parks it until retry', () => {
    const m = machine();
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      expect(m.hireAttempt).toBe(attempt);
      m.hireRequested(NOW, approval(`apr_${attempt}`, 'proposal_hire'));
      m.approvalClosed(NOW, approval(`apr_${attempt}`, 'proposal_hire', 'expired'));
      expect(m.hireExpired(NOW, `apr_${attempt}`)).toBe(attempt <= 2);
    }
    expect(m.phase).toBe('blocked');
    const item = m.checkRetry({ approvalId: 'apr_3' });
    expect(item).toEqual({ action: 'hire', approvalId: 'apr_3', reason: 'expired' });
    m.unpark(NOW, item);
    expect(m.hireAttempt).toBe(1);
    expect(m.phase).toBe('checking_preconditions');
    expect(ruleCode(() => m.checkRetry({ approvalId: 'apr_3' }))).toBe('nothing_to_retry');
  });

  it('keeps approvalResolved for pending ids, buffers ids a request may be returning, ignores stale and unknown ones', () => {
    const m = machine();
    expect(m.noteResolution('apr_x', 'confirmed')).toBe('unknown');
    m.beginOperation('hire');
    expect(m.noteResolution('apr_1', 'confirmed')).toBe('buffered');
    m.endOperation('hire');
    m.hireRequested(NOW, approval('apr_1', 'proposal_hire'));
    expect(m.signalledStatus('apr_1')).toBe('confirmed');
    m.approvalClosed(NOW, approval('apr_1', 'proposal_hire', 'confirmed'));
    expect(m.noteResolution('apr_1', 'declined')).toBe('stale');
    expect(m.signalledStatus('apr_1')).toBeUndefined();
  });

  it('publishes the earliest pending expiry for NextApprovalExpiry', () => {
    const m = hired();
    expect(m.nextApprovalExpiry()).toBeUndefined();
    m.milestoneCreated(NOW, milestone('m_2', 100_00, 'NOT_FUNDED', 2));
    m.approvalRequested(
      NOW,
      'release',
      approval('apr_2', 'milestone_approve', 'pending', { expiresAt: '2026-06-16T00:00:00.000Z' }),
      1,
      'm_1',
    );
    m.approvalRequested(
      NOW,
      'fund',
      approval('apr_3', 'milestone_fund', 'pending', { expiresAt: '2026-06-15T00:00:00.000Z' }),
      1,
      'm_2',
    );
    expect(m.nextApprovalExpiry()).toBe('2026-06-15T00:00:00.000Z');
  });

  it('keeps only the last 50 history entries and survives a JSON round trip (continue-as-new)', () => {
    const m = machine();
    for (let i = 0; i < 80; i += 1) m.record(NOW, 'note', `n${i}`);
    const restored = EngagementMachine.restore(JSON.parse(JSON.stringify(m.snapshot)));
    expect(restored.snapshot.history).toHaveLength(50);
    expect(restored.snapshot.history.at(-1)?.detail).toBe('n79');
    expect(restored.snapshot).toEqual(m.snapshot);
  });
});
