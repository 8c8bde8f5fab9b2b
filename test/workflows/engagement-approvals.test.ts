import { Worker } from '@temporalio/worker';
import {
  addMilestoneUpdate,
  approvalResolvedSignal,
  retryUpdate,
  stateQuery,
} from '../../workflows/messages';
import { UPDATES_FEED_WORKFLOW_ID } from '../../domain/ids';
import { FakeOpenTrain, HOUR_MS } from './support/fake-opentrain';
import { recordHistory } from './support/dev-stack';
import { waitForState } from './support/engagement-handle';
import { hireAndActivate, humanResolves, timeSkippingSuite } from './support/harness';

const suite = timeSkippingSuite();

const MINUTE_MS = 60_000;

describe('waiting for a human approval (time-skipping, real durations)', () => {
  it('reminds the human at 48 h and 68 h, reads the approval at 72 h and requests the expired hire again', async () => {
    const fake = new FakeOpenTrain();
    await suite.run(fake, {}, async (handle) => {
      const first = await waitForState(handle, (s) => s.pendingApprovals.length === 1);
      const createdAt = Date.parse(fake.approvals.get('apr_1')!.createdAt);
      expect(first.phase).toBe('awaiting_hire_approval');

      await suite.env.sleep('73 hours');
      const again = await waitForState(handle, (s) => s.pendingApprovals[0]?.attempt === 2);
      expect(again.pendingApprovals[0]).toMatchObject({ approvalId: 'apr_2', type: 'proposal_hire' });

      const told = fake.notifications.filter((n) => n.approvalId === 'apr_1');
      expect(told.map((n) => [n.kind, n.timeLeft])).toEqual([
        ['approval_requested', '3d 0h'],
        ['approval_reminder', '1d 0h'],
        ['approval_reminder', '4h 0m'],
      ]);
      expect(told[1]!.at - createdAt).toBeGreaterThanOrEqual(48 * HOUR_MS);
      expect(told[1]!.at - createdAt).toBeLessThan(48 * HOUR_MS + MINUTE_MS);
      expect(told[2]!.at - createdAt).toBeGreaterThanOrEqual(68 * HOUR_MS);
      expect(told[2]!.at - createdAt).toBeLessThan(68 * HOUR_MS + MINUTE_MS);
      for (const n of told) expect(n.message).toContain('https://sandbox.test/approvals/apr_1');

      // The approval was read once its expiry had passed (lazy expiry), and the hire re-sent with the same terms.
      const expiryRead = fake.callsOf('fetchApproval').find((c) => c.at >= createdAt + 72 * HOUR_MS);
      expect(expiryRead!.at - createdAt).toBeLessThan(72 * HOUR_MS + MINUTE_MS);
      const hires = fake.callsOf('requestHire').map((c) => (c.input as { milestone: unknown }).milestone);
      expect(hires).toHaveLength(2);
      expect(hires[1]).toEqual(hires[0]);
      // The fallback poll backs off: far fewer reads than one every 5 minutes over 72 h.
      expect(fake.callsOf('fetchApproval').length).toBeLessThan(30);
    });
  });

  const readsOf = (fake: FakeOpenTrain, approvalId: string) =>
    fake
      .callsOf('fetchApproval')
      .filter((c) => (c.input as { approvalId: string }).approvalId === approvalId);

  it('without a running updates feed, polls the approval itself from the policy minimum (5 min, doubling)', async () => {
    const fake = new FakeOpenTrain();
    await suite.run(fake, {}, async (handle) => {
      await waitForState(handle, (s) => s.pendingApprovals.length === 1);
      await suite.env.sleep('5 hours');
      // 5, 15, 35, 75 and 155 minutes after the request.
      expect(readsOf(fake, 'apr_1')).toHaveLength(5);
    });
  });

  it('while the updates feed holds its hint, polls the approval itself only at the policy maximum (6 h)', async () => {
    const taskQueue = `stand-in-feed-${process.pid}`;
    const feedWorker = await Worker.create({
      connection: suite.env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('./support/stand-in-feed'),
    });
    const running = feedWorker.run();
    const feed = await suite.env.client.workflow.start('updatesFeedWorkflow', {
      taskQueue,
      workflowId: UPDATES_FEED_WORKFLOW_ID,
    });
    try {
      const fake = new FakeOpenTrain();
      await suite.run(fake, {}, async (handle) => {
        await waitForState(handle, (s) => s.pendingApprovals.length === 1);
        const createdAt = Date.parse(fake.approvals.get('apr_1')!.createdAt);
        await suite.env.sleep('5 hours');
        expect(readsOf(fake, 'apr_1')).toHaveLength(0);
        await suite.env.sleep('90 minutes');
        const reads = readsOf(fake, 'apr_1');
        expect(reads).toHaveLength(1);
        expect(reads[0]!.at - createdAt).toBeGreaterThanOrEqual(6 * HOUR_MS);
        const hints = (await feed.fetchHistory()).events?.filter(
          (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'approvalAwaited',
        );
        expect(hints).toHaveLength(1);
        await recordHistory(handle, 'approval-poll-slow-while-feed-tracks');
      });
    } finally {
      await feed.terminate('test finished');
      feedWorker.shutdown();
      await running;
    }
  }, 120_000);

  it('parks a funding request that expired beyond the limit until `retry`, which asks again', async () => {
    const fake = new FakeOpenTrain();
    await suite.run(fake, { policy: { maxReRequestsAfterExpiry: 1 } }, async (handle) => {
      await hireAndActivate(handle, fake);
      await handle.executeUpdate(addMilestoneUpdate, {
        args: [{ description: 'b', amountUsd: 80, fund: true }],
      });
      await suite.env.sleep('73 hours');
      await waitForState(handle, (s) => s.pendingApprovals[0]?.attempt === 2);
      await suite.env.sleep('73 hours');
      const parked = await waitForState(handle, (s) => s.parked.length === 1);
      expect(parked.parked).toEqual([
        { action: 'fund', milestoneId: 'm_2', approvalId: 'apr_3', reason: 'expired' },
      ]);
      expect(parked.pendingApprovals).toEqual([]);
      expect(parked.milestones[1]?.status).toBe('NOT_FUNDED');
      expect(fake.notifications.some((n) => n.kind === 'parked')).toBe(true);

      const retried = await handle.executeUpdate(retryUpdate, { args: [{ milestoneId: 'm_2' }] });
      expect(retried.parked).toEqual([]);
      expect(retried.pendingApprovals).toEqual([
        expect.objectContaining({ approvalId: 'apr_4', attempt: 1 }),
      ]);
      await humanResolves(handle, fake, 'apr_4');
      await waitForState(handle, (s) => s.milestones[1]?.status === 'ACTIVE_FUNDED');
      expect(fake.callsOf('requestFunding')).toHaveLength(3);
    });
  });

  it("parks a declined hire with the human's decision in its history, and `retry` asks again", async () => {
    const fake = new FakeOpenTrain();
    await suite.run(fake, {}, async (handle) => {
      await waitForState(handle, (s) => s.pendingApprovals.length === 1);
      await humanResolves(handle, fake, 'apr_1', 'declined');
      const parked = await waitForState(handle, (s) => s.parked.length === 1);
      expect(parked.phase).toBe('blocked');
      expect(parked.parked[0]).toMatchObject({ action: 'hire', approvalId: 'apr_1', reason: 'declined' });
      expect(parked.blockers[0]).toMatchObject({ kind: 'approval_declined' });
      expect(parked.history.map((h) => h.kind)).toContain('approval_declined');
      expect(fake.callsOf('fetchContract')).toHaveLength(0);

      await handle.executeUpdate(retryUpdate, { args: [{ approvalId: 'apr_1' }] });
      const again = await waitForState(handle, (s) => s.pendingApprovals.length === 1);
      expect(again.pendingApprovals[0]?.approvalId).toBe('apr_2');
      expect(fake.callsOf('requestHire')).toHaveLength(2);
    });
  });

  it('keeps a milestone NOT_FUNDED when its funding is declined, and `retry` asks again', async () => {
    const fake = new FakeOpenTrain();
    await suite.run(fake, {}, async (handle) => {
      await hireAndActivate(handle, fake);
      await handle.executeUpdate(addMilestoneUpdate, {
        args: [{ description: 'b', amountUsd: 80, fund: true }],
      });
      await humanResolves(handle, fake, 'apr_2', 'declined');
      const declined = await waitForState(handle, (s) => s.parked.length === 1);
      expect(declined.parked[0]).toEqual({
        action: 'fund',
        milestoneId: 'm_2',
        approvalId: 'apr_2',
        reason: 'declined',
      });
      expect(declined.milestones[1]?.status).toBe('NOT_FUNDED');
      expect(declined.phase).toBe('active');

      const retried = await handle.executeUpdate(retryUpdate, { args: [{ approvalId: 'apr_2' }] });
      expect(retried.pendingApprovals.map((p) => p.approvalId)).toEqual(['apr_3']);
      await humanResolves(handle, fake, 'apr_3');
      await waitForState(handle, (s) => s.milestones[1]?.status === 'ACTIVE_FUNDED');
    });
  });

  it('does not lose a resolution signalled while the approval was being announced', async () => {
    const fake = new FakeOpenTrain();
    fake.onNotify = async (n) => {
      if (n.kind !== 'approval_requested' || n.approvalId !== 'apr_1') return;
      fake.resolve('apr_1', 'confirmed');
      await suite.env.client.workflow.getHandle(n.engagementId).signal(approvalResolvedSignal, {
        approvalId: 'apr_1',
        status: 'confirmed',
      });
    };
    await suite.run(fake, {}, async (handle) => {
      // No time passes (no skipping while the test waits on queries): only the signal can have ended the wait.
      const active = await waitForState(handle, (s) => s.phase === 'active');
      expect(active.contractId).toBe('c_1');
      expect(fake.callsOf('fetchApproval')).toHaveLength(1);
    });
  });

  it('keeps a resolution signalled before the request that created the approval returned', async () => {
    const fake = new FakeOpenTrain();
    fake.onHireRequested = async (approval) => {
      fake.resolve(approval.id, 'confirmed');
      const engagementId = fake.callsOf('requestHire')[0]!.input as { proposalId: string };
      await suite.env.client.workflow
        .getHandle(`engagement-${engagementId.proposalId}`)
        .signal(approvalResolvedSignal, { approvalId: approval.id, status: 'confirmed' });
    };
    await suite.run(fake, {}, async (handle) => {
      await waitForState(handle, (s) => s.phase === 'active');
      expect(fake.callsOf('fetchApproval')).toHaveLength(1);
    });
  });

  it('ignores a resolution for an unknown or stale approval id', async () => {
    const fake = new FakeOpenTrain();
    await suite.run(fake, {}, async (handle) => {
      await hireAndActivate(handle, fake);
      const before = await handle.query(stateQuery);
      await handle.signal(approvalResolvedSignal, { approvalId: 'apr_unknown', status: 'confirmed' });
      await handle.signal(approvalResolvedSignal, { approvalId: 'apr_1', status: 'declined' });
      const after = await handle.query(stateQuery);
      expect(after).toEqual(before);
      expect(
        fake
          .callsOf('fetchApproval')
          .filter((c) => (c.input as { approvalId: string }).approvalId !== 'apr_1'),
      ).toEqual([]);
    });
  });
});
