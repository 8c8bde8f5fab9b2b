import { confirmNotFitUpdate, recheckPreconditionsSignal } from '../../workflows/messages';
import { FakeOpenTrain } from './support/fake-opentrain';
import { waitForState } from './support/engagement-handle';
import { humanResolves, timeSkippingSuite } from './support/harness';

const suite = timeSkippingSuite();

const claimBlocker = {
  kind: 'account_claim_required',
  message: 'A human must claim this agent account before it can hire.',
  url: 'https://sandbox.test/claim',
};

describe('the way to a contract (time-skipping, mocked activities)', () => {
  it('stays blocked without requesting the hire, then proceeds once the blocker is fixed and rechecked', async () => {
    const fake = new FakeOpenTrain();
    fake.blockers = [claimBlocker];
    await suite.run(fake, {}, async (handle) => {
      const blocked = await waitForState(handle, (s) => s.phase === 'blocked');
      expect(blocked.blockers).toEqual([claimBlocker]);
      expect(fake.notifications.map((n) => n.kind)).toEqual(['blocked']);
      expect(fake.notifications[0]?.message).toContain('https://sandbox.test/claim');

      // The recheck interval (15 min) passes: checked again, still blocked, the human is not told twice.
      await suite.env.sleep('16 minutes');
      await waitForState(handle, () => fake.callsOf('checkPreconditions').length === 2);
      expect(fake.callsOf('requestHire')).toHaveLength(0);

      fake.blockers = [];
      await handle.signal(recheckPreconditionsSignal, {});
      const waiting = await waitForState(handle, (s) => s.phase === 'awaiting_hire_approval');
      expect(waiting.blockers).toEqual([]);
      expect(fake.notifications.filter((n) => n.kind === 'blocked')).toHaveLength(1);
    });
  });

  it('blocks with the billingUrl on payment_method_required and retries the hire after a recheck', async () => {
    const fake = new FakeOpenTrain();
    fake.hireOutcomes = ['payment_method_required'];
    await suite.run(fake, {}, async (handle) => {
      const blocked = await waitForState(handle, (s) => s.phase === 'blocked');
      expect(blocked.blockers).toEqual([
        expect.objectContaining({ kind: 'payment_method_required', url: 'https://sandbox.test/billing' }),
      ]);
      await suite.env.sleep('16 minutes');
      await waitForState(handle, (s) => s.phase === 'awaiting_hire_approval');
      expect(fake.callsOf('requestHire')).toHaveLength(2);
    });
  });

  it('carries on as hired when OpenTrain answers already_accepted, without a new approval', async () => {
    const fake = new FakeOpenTrain();
    fake.hireOutcomes = ['already_accepted'];
    await suite.run(fake, {}, async (handle) => {
      const active = await waitForState(handle, (s) => s.phase === 'active');
      expect(active).toMatchObject({
        contractId: 'c_1',
        jobDmConversationId: 'conv_1',
        pendingApprovals: [],
      });
      expect(active.milestones).toEqual([expect.objectContaining({ id: 'm_1', status: 'ACTIVE_FUNDED' })]);
      expect(active.history.map((h) => h.kind)).toContain('reconciled');
    });
  });

  it('blocks a "Not a fit" proposal until confirmNotFit, then re-sends the hire with the override', async () => {
    const fake = new FakeOpenTrain();
    fake.notAFit = true;
    await suite.run(fake, {}, async (handle) => {
      const blocked = await waitForState(handle, (s) => s.phase === 'blocked');
      expect(blocked.blockers.map((b) => b.kind)).toEqual(['not_fit_confirmation_required']);
      // Only a human lifts it: no recheck on the interval.
      await suite.env.sleep('1 hour');
      expect(fake.callsOf('requestHire')).toHaveLength(1);

      const after = await handle.executeUpdate(confirmNotFitUpdate, { args: [{}] });
      expect(after.phase).toBe('awaiting_hire_approval');
      const overrides = fake
        .callsOf('requestHire')
        .map((c) => (c.input as { confirmNotFitOverride: boolean }).confirmNotFitOverride);
      expect(overrides).toEqual([false, true]);
      await humanResolves(handle, fake, after.pendingApprovals[0]!.approvalId);
      await waitForState(handle, (s) => s.phase === 'active');
    });
  });

  it('re-sends a "Not a fit" hire with the override at once when the input says so', async () => {
    const fake = new FakeOpenTrain();
    fake.notAFit = true;
    await suite.run(fake, { confirmNotFitOverride: true }, async (handle) => {
      const waiting = await waitForState(handle, (s) => s.phase === 'awaiting_hire_approval');
      expect(waiting.history.map((h) => h.detail)).not.toContain('blocked');
      const overrides = fake
        .callsOf('requestHire')
        .map((c) => (c.input as { confirmNotFitOverride: boolean }).confirmNotFitOverride);
      expect(overrides).toEqual([false, true]);
    });
  });

  it('never loses a confirmed hire: if its contract cannot be read it blocks, then reads it on recheck', async () => {
    const fake = new FakeOpenTrain();
    fake.contractReadFailures = 1;
    await suite.run(fake, {}, async (handle) => {
      const waiting = await waitForState(handle, (s) => s.pendingApprovals.length === 1);
      await humanResolves(handle, fake, waiting.pendingApprovals[0]!.approvalId);
      const blocked = await waitForState(handle, (s) => s.phase === 'blocked');
      // The fake refuses the read with a 403: an access problem (not an outage) that a recheck retries.
      expect(blocked.blockers[0]).toMatchObject({
        kind: 'opentrain_access',
        message: expect.stringContaining('c_1'),
      });
      await handle.signal(recheckPreconditionsSignal, {});
      const active = await waitForState(handle, (s) => s.phase === 'active');
      expect(active.contractId).toBe('c_1');
      expect(fake.callsOf('requestHire')).toHaveLength(1);
    });
  });
});
