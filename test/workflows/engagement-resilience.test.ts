import { ApplicationFailure } from '@temporalio/common';
import {
  addMilestoneUpdate,
  confirmNotFitUpdate,
  fundMilestoneUpdate,
  recheckPreconditionsSignal,
  releaseMilestoneUpdate,
  stateQuery,
} from '../../workflows/messages';
import { waitForState, waitUntil } from './support/engagement-handle';
import { apiFailure, HOUR_MS } from './support/fake-opentrain';
import { FaultyOpenTrain } from './support/faulty-opentrain';
import { hireAndActivate, timeSkippingSuite } from './support/harness';

const suite = timeSkippingSuite();

/** A 401 exactly as activities/errors.ts builds it: the API's code as type, the HTTP status in the details. */
function unauthorized(path: string): ApplicationFailure {
  return ApplicationFailure.create({
    message: `OpenTrain GET ${path} failed: 401 (UNAUTHORIZED): token revoked`,
    type: 'UNAUTHORIZED',
    nonRetryable: true,
    details: [{ status: 401, code: 'UNAUTHORIZED', method: 'GET', path, details: {} }],
  });
}

describe('engagement resilience (time-skipping, mocked activities)', () => {
  it('sends the "Not a fit" override at most once, then parks with the reason', async () => {
    const fake = new FaultyOpenTrain();
    fake.overrides.requestHire = async (input) => {
      fake.calls.push({ name: 'requestHire', input, at: Date.now() });
      throw apiFailure('not_fit_confirmation_required');
    };
    await suite.run(fake, {}, async (handle) => {
      await waitForState(handle, (s) => s.blockers[0]?.kind === 'not_fit_confirmation_required');
      const after = await handle.executeUpdate(confirmNotFitUpdate, { args: [{}] });
      expect(after.blockers.map((b) => b.kind)).toEqual(['not_fit_override_refused']);
      await suite.env.sleep('2 hours');
      const overrides = fake
        .callsOf('requestHire')
        .map((c) => (c.input as { confirmNotFitOverride: boolean }).confirmNotFitOverride);
      expect(overrides).toEqual([false, true]);
      const state = await handle.query(stateQuery);
      expect(state.phase).toBe('blocked');
      expect(state.history.map((h) => h.kind)).toContain('not_fit_override_refused');
    });
  });

  it('shows an opentrain_access blocker when polling gets 401, tells the human once, and resumes on recheck', async () => {
    const fake = new FaultyOpenTrain();
    let revoked = true;
    await suite.run(
      fake,
      { policy: { pollIntervalMinMs: 60_000, pollIntervalMaxMs: 60_000 } },
      async (handle) => {
        await waitForState(handle, (s) => s.pendingApprovals.length === 1);
        const realRead = fake.unfaulted().fetchApproval;
        fake.overrides.fetchApproval = async (input) => {
          if (revoked) throw unauthorized(`/approvals/${input.approvalId}`);
          return realRead(input);
        };
        await suite.env.sleep('3 minutes');
        const blocked = await waitForState(handle, (s) =>
          s.blockers.some((b) => b.kind === 'opentrain_access'),
        );
        expect(blocked.blockers[0]?.message).toContain('GET /approvals/apr_1');
        expect(blocked.pendingApprovals).toHaveLength(1);
        const readsWhenBlocked = fake.callsOf('fetchApproval').length;
        await suite.env.sleep('2 hours');
        // Waiting for a human, not polling into the void: no read since the refusal, one notice.
        const readsWhileBlocked = fake.callsOf('fetchApproval').length;
        expect(readsWhileBlocked).toBe(readsWhenBlocked);
        expect(fake.notifications.filter((n) => n.kind === 'blocked')).toHaveLength(1);

        revoked = false;
        fake.resolve('apr_1', 'confirmed');
        await handle.signal(recheckPreconditionsSignal, {});
        await suite.env.sleep('2 minutes');
        const active = await waitForState(handle, (s) => s.phase === 'active');
        expect(active.blockers).toEqual([]);
        expect(fake.callsOf('fetchApproval').length).toBeGreaterThan(readsWhileBlocked);
      },
    );
  });

  it('re-reads an active contract on a timer: a milestone refunded on OpenTrain no longer counts or releases', async () => {
    const fake = new FaultyOpenTrain();
    await suite.run(fake, { policy: { contractRecheckMs: HOUR_MS } }, async (handle) => {
      await hireAndActivate(handle, fake);
      const added = await handle.executeUpdate(addMilestoneUpdate, {
        args: [{ description: 'second', amountUsd: 100 }],
      });
      // Refunded and cancelled milestones drop out of OpenTrain's timeline; nothing tells us.
      fake.contract.milestones = fake.contract.milestones.filter((m) => m.id !== added.id);
      fake.contract.milestones[0]!.status = 'PAID';
      await suite.env.sleep('61 minutes');
      const synced = await waitForState(handle, (s) => s.milestones[1]?.status === 'CANCELLED');
      expect(synced.milestones[0]?.status).toBe('PAID');
      expect(synced.totals.releasedUsd).toBe(300);
      const refusal = (call: Promise<unknown>) =>
        call.then(
          () => undefined,
          (e: { cause?: ApplicationFailure }) => e.cause?.type,
        );
      expect(
        await refusal(handle.executeUpdate(fundMilestoneUpdate, { args: [{ milestoneId: added.id }] })),
      ).toBe('milestone_not_fundable');
      expect(
        await refusal(handle.executeUpdate(releaseMilestoneUpdate, { args: [{ milestoneId: 'm_1' }] })),
      ).toBe('milestone_not_funded');
    });
  });

  it('when cancelled, sends nothing new and lists the approvals still open on OpenTrain', async () => {
    const fake = new FaultyOpenTrain();
    await suite.run(fake, {}, async (handle) => {
      await hireAndActivate(handle, fake);
      const added = await handle.executeUpdate(addMilestoneUpdate, {
        args: [{ description: 'second', amountUsd: 100, fund: true }],
      });
      // Cancel once the workflow is idle (the Java test server mishandles cancelling an activity it just completed).
      await waitUntil(async () => fake.notifications.some((n) => n.approvalId === added.fundApprovalId));
      await new Promise((resolve) => setTimeout(resolve, 500));
      const callsBefore = fake.calls.filter((c) => c.name !== 'notifyHuman').length;
      await handle.cancel();
      await expect(handle.result()).rejects.toThrow();
      const final = await handle.query(stateQuery);
      expect(final.phase).toBe('cancelled');
      expect(final.pendingApprovals).toEqual([
        expect.objectContaining({ approvalId: added.fundApprovalId, milestoneId: added.id }),
      ]);
      const told = fake.notifications.find((n) => n.kind === 'cancelled');
      expect(told?.message).toContain(String(added.fundApprovalId));
      expect(fake.calls.filter((c) => c.name !== 'notifyHuman')).toHaveLength(callsBefore);
    });
  });
});

describe('a refused start (time-skipping)', () => {
  it('stays readable: the state shows phase failed with the reason, not a missing query', async () => {
    const fake = new FaultyOpenTrain();
    // Straight to Temporal, past the doors' checks: a budget below the hire charge ($300 + 10% + $9.95).
    await suite.run(fake, { budgetUsd: 100 }, async (handle) => {
      await expect(handle.result()).rejects.toThrow();
      const state = await handle.query(stateQuery);
      expect(state.phase).toBe('failed');
      expect(state.failureReason).toMatch(/budgetUsd/);
      expect(fake.calls).toEqual([]);
    });
  });
});
