import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import {
  addMilestoneSignal,
  addMilestoneUpdate,
  endContractUpdate,
  fundMilestoneUpdate,
  openTrainEventSignal,
  releaseMilestoneUpdate,
  stateQuery,
} from '../../workflows/messages';
import { FakeOpenTrain } from './support/fake-opentrain';
import { waitForState } from './support/engagement-handle';
import { hireAndActivate, humanResolves, timeSkippingSuite } from './support/harness';

const suite = timeSkippingSuite();

describe('engagement lifecycle (time-skipping, mocked activities)', () => {
  it('hires, adds, funds and releases a milestone, then ends with a co-signed end and returns its final state', async () => {
    const fake = new FakeOpenTrain();
    await suite.run(fake, { budgetUsd: 1000 }, async (handle) => {
      const active = await hireAndActivate(handle, fake);
      expect(active.contractId).toBe('c_1');
      expect(active.trainer).toEqual({ displayName: 'Maria G.', profilePath: '/profile/maria-g' });
      expect(active.milestones).toEqual([
        expect.objectContaining({ id: 'm_1', status: 'ACTIVE_FUNDED', amountUsd: 300 }),
      ]);

      const created = await handle.executeUpdate(addMilestoneUpdate, {
        args: [{ description: 'second batch', amountUsd: 120, fund: true }],
      });
      expect(created).toMatchObject({
        id: 'm_2',
        status: 'NOT_FUNDED',
        amountUsd: 120,
        fundApprovalId: 'apr_2',
      });
      await humanResolves(handle, fake, 'apr_2');
      await waitForState(handle, (s) => s.milestones[1]?.status === 'ACTIVE_FUNDED');

      const releasing = await handle.executeUpdate(releaseMilestoneUpdate, {
        args: [{ milestoneId: 'm_2' }],
      });
      expect(releasing.releaseApprovalId).toBe('apr_3');
      await humanResolves(handle, fake, 'apr_3');
      const released = await waitForState(handle, (s) => s.milestones[1]?.status === 'PAID');
      expect(released.milestones[1]?.evidence).toEqual({
        invoiceId: 'inv_apr_3',
        paymentIntentId: 'pi_apr_2',
        payoutTransactionId: 'po_apr_3',
      });
      expect(released.totals).toEqual({ fundedUsd: 420, releasedUsd: 120, feesUsd: 30 + 9.95 + 12 });

      const ending = await handle.executeUpdate(endContractUpdate, { args: [{}] });
      expect(ending.phase).toBe('awaiting_end_approval');
      await humanResolves(handle, fake, ending.pendingApprovals[0]!.approvalId);
      const final = await handle.result();
      expect(final.phase).toBe('ended');
      expect(final.pendingApprovals).toEqual([]);
      // Read once more after the end: OpenTrain refunded m_1's escrow and dropped it from the timeline.
      expect(fake.callsOf('fetchContract')).toHaveLength(2);
      expect(final.milestones.map((m) => [m.id, m.status])).toEqual([
        ['m_1', 'REFUNDED'],
        ['m_2', 'PAID'],
      ]);
      expect(final.totals).toEqual({ fundedUsd: 120, releasedUsd: 120, feesUsd: 12 });
    });
  });

  it('answers a direct end (200) with the contract as OpenTrain shows it after the end', async () => {
    const fake = new FakeOpenTrain();
    await suite.run(fake, {}, async (handle) => {
      await hireAndActivate(handle, fake);
      // The human released m_1 in the app; no event reached us, so the workflow still holds it as funded.
      fake.contract.milestones[0]!.status = 'PAID';
      const ended = await handle.executeUpdate(endContractUpdate, { args: [{}] });
      expect(ended.phase).toBe('ended');
      expect(ended.milestones.map((m) => [m.id, m.status])).toEqual([['m_1', 'PAID']]);
      expect(ended.totals).toEqual({ fundedUsd: 300, releasedUsd: 300, feesUsd: 30 + 9.95 });
      const final = await handle.result();
      expect(final.milestones).toEqual(ended.milestones);
      expect(fake.callsOf('fetchContract')).toHaveLength(2);
    });
  });

  it('reports the created milestone and why its funding failed when addMilestone cannot request the funding', async () => {
    const fake = new FakeOpenTrain();
    fake.fundingFailures = ['payment_method_required'];
    await suite.run(fake, { budgetUsd: 1000 }, async (handle) => {
      await hireAndActivate(handle, fake);
      const err = await handle
        .executeUpdate(addMilestoneUpdate, { args: [{ description: 'b', amountUsd: 120, fund: true }] })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
      expect(cause.type).toBe('payment_method_required');
      expect(cause.message).toMatch(
        /^milestone m_2 was created \(NOT_FUNDED\) but its funding was not requested/,
      );
      expect(cause.details?.[0]).toMatchObject({
        billingUrl: 'https://sandbox.test/billing',
        createdMilestone: { id: 'm_2', status: 'NOT_FUNDED', amountUsd: 120 },
      });

      // Not lost: the milestone is in the state, its budget reservation released, and funding can be asked again.
      const state = await handle.query(stateQuery);
      expect(state.milestones[1]).toMatchObject({ id: 'm_2', status: 'NOT_FUNDED', description: 'b' });
      expect(state.pendingApprovals).toEqual([]);
      expect(state.history.map((h) => h.kind)).toContain('request_failed');
      const funding = await handle.executeUpdate(fundMilestoneUpdate, { args: [{ milestoneId: 'm_2' }] });
      expect(funding.fundApprovalId).toBe('apr_2');
      expect(fake.callsOf('createMilestone')).toHaveLength(1);

      // The signal twin cannot answer, so the state tells: created, and the funding failure in its history.
      fake.fundingFailures = ['payment_method_required'];
      await handle.signal(addMilestoneSignal, { description: 'c', amountUsd: 10, fund: true });
      const signalled = await waitForState(handle, (s) => s.history.some((h) => h.kind === 'signal_failed'));
      expect(signalled.milestones[2]).toMatchObject({ id: 'm_3', status: 'NOT_FUNDED' });
      expect(signalled.history.at(-1)?.detail).toMatch(/^addMilestone: milestone m_3 was created/);
    });
  });

  it('funds concurrently: waits for different milestones run side by side', async () => {
    const fake = new FakeOpenTrain();
    await suite.run(fake, {}, async (handle) => {
      await hireAndActivate(handle, fake);
      await handle.executeUpdate(addMilestoneUpdate, { args: [{ description: 'b', amountUsd: 50 }] });
      const [release, fund] = await Promise.all([
        handle.executeUpdate(releaseMilestoneUpdate, { args: [{ milestoneId: 'm_1' }] }),
        handle.executeUpdate(fundMilestoneUpdate, { args: [{ milestoneId: 'm_2' }] }),
      ]);
      const both = await waitForState(handle, (s) => s.pendingApprovals.length === 2);
      expect(both.pendingApprovals.map((p) => p.type).sort()).toEqual([
        'milestone_approve',
        'milestone_fund',
      ]);
      // Resolved in the opposite order of their requests: neither wait blocks the other.
      await humanResolves(handle, fake, fund.fundApprovalId!);
      await waitForState(handle, (s) => s.milestones[1]?.status === 'ACTIVE_FUNDED');
      expect((await waitForState(handle, () => true)).milestones[0]?.status).toBe('ACTIVE_FUNDED');
      await humanResolves(handle, fake, release.releaseApprovalId!);
      await waitForState(
        handle,
        (s) => s.milestones[0]?.status === 'PAID' && s.pendingApprovals.length === 0,
      );
    });
  });

  it('re-reads the contract when OpenTrain reports a change to it, and ignores events of other contracts', async () => {
    const fake = new FakeOpenTrain();
    await suite.run(fake, {}, async (handle) => {
      await hireAndActivate(handle, fake);
      await handle.executeUpdate(addMilestoneUpdate, { args: [{ description: 'b', amountUsd: 50 }] });
      const reads = fake.callsOf('fetchContract').length;
      await handle.signal(openTrainEventSignal, {
        eventId: '7',
        type: 'milestone.status_changed',
        contractId: 'c_other',
      });
      // The human funded m_2 in the app, without our request: the event makes the workflow look.
      fake.contract.milestones[1]!.status = 'ACTIVE_FUNDED';
      await handle.signal(openTrainEventSignal, {
        eventId: '8',
        type: 'milestone.status_changed',
        contractId: 'c_1',
      });
      const synced = await waitForState(handle, (s) => s.milestones[1]?.status === 'ACTIVE_FUNDED');
      expect(fake.callsOf('fetchContract')).toHaveLength(reads + 1);
      expect(synced.totals.fundedUsd).toBe(350);
    });
  });
});
