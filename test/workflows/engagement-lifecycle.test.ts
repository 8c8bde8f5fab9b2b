import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import {
  addMilestoneUpdate,
  endContractUpdate,
  fundMilestoneUpdate,
  openTrainEventSignal,
  releaseMilestoneUpdate,
} from '../../workflows/messages';
import { FakeOpenTrain } from './support/fake-opentrain';
import {
  hireAndActivate,
  humanResolves,
  runEngagement,
  timeSkippingSetup,
  waitForState,
} from './support/harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  ({ env, bundle } = await timeSkippingSetup());
}, 120_000);
afterAll(async () => {
  await env?.teardown();
});

describe('engagement lifecycle (time-skipping, mocked activities)', () => {
  it('hires, adds, funds and releases a milestone, then ends with a co-signed end and returns its final state', async () => {
    const fake = new FakeOpenTrain();
    await runEngagement(env, bundle, fake, { budgetUsd: 1000 }, async (handle) => {
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
    });
  });

  it('funds concurrently: waits for different milestones run side by side', async () => {
    const fake = new FakeOpenTrain();
    await runEngagement(env, bundle, fake, {}, async (handle) => {
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
    await runEngagement(env, bundle, fake, {}, async (handle) => {
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
