import { WorkflowUpdateFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import {
  addMilestoneUpdate,
  approvalResolvedSignal,
  endContractUpdate,
  fundMilestoneSignal,
  fundMilestoneUpdate,
  releaseMilestoneUpdate,
  retryUpdate,
  stateQuery,
} from '../../workflows/messages';
import { FakeOpenTrain } from './support/fake-opentrain';
import { waitForState } from './support/engagement-handle';
import { hireAndActivate, humanResolves, timeSkippingSuite } from './support/harness';

const suite = timeSkippingSuite();

const { EventType } = temporal.api.enums.v1;
const UPDATE_EVENTS = new Set([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_REJECTED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
]);

async function rejection(promise: Promise<unknown>): Promise<{ type?: string; message: string }> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause as { type?: string; message: string };
  return { type: cause.type, message: cause.message };
}

describe('guards (time-skipping, mocked activities)', () => {
  it('rejects bad input in the validator without a trace, and rule refusals without touching the state', async () => {
    const fake = new FakeOpenTrain();
    await suite.run(fake, {}, async (handle) => {
      await waitForState(handle, (s) => s.pendingApprovals.length === 1);
      expect(
        await rejection(handle.executeUpdate(fundMilestoneUpdate, { args: [{ milestoneId: 'm_1' }] })),
      ).toMatchObject({
        type: 'contract_not_active',
      });
      await humanResolves(handle, fake, 'apr_1');
      await waitForState(handle, (s) => s.phase === 'active');
      const before = await handle.query(stateQuery);

      const rejected = await Promise.all([
        rejection(handle.executeUpdate(fundMilestoneUpdate, { args: [{ milestoneId: 'm_404' }] })),
        rejection(handle.executeUpdate(fundMilestoneUpdate, { args: [{ milestoneId: 'm_1' }] })),
        rejection(handle.executeUpdate(releaseMilestoneUpdate, { args: [{ milestoneId: '' }] })),
        rejection(handle.executeUpdate(addMilestoneUpdate, { args: [{ description: 'x', amountUsd: -5 }] })),
        rejection(
          handle.executeUpdate(addMilestoneUpdate, { args: [{ description: '', amountUsd: 1.234 }] }),
        ),
        rejection(handle.executeUpdate(retryUpdate, { args: [{ milestoneId: 'm_1' }] })),
      ]);
      expect(rejected.map((r) => r.type)).toEqual([
        'unknown_milestone',
        'milestone_not_fundable',
        'InputValidationError',
        'InputValidationError',
        'InputValidationError',
        'nothing_to_retry',
      ]);
      expect(rejected[4]?.message).toMatch(
        /description: must not be empty; amountUsd: must have at most 2 decimals/,
      );

      // A signal with bad input is dropped too (signals always reach history, but change nothing).
      await handle.signal(fundMilestoneSignal, { milestoneId: 'm_404' });
      await handle.signal(approvalResolvedSignal, { approvalId: '', status: 'confirmed' } as never);

      const after = await handle.query(stateQuery);
      expect(after.milestones).toEqual(before.milestones);
      expect(after.pendingApprovals).toEqual(before.pendingApprovals);
      const { events } = await handle.fetchHistory();
      // Bad input leaves no trace; the 4 rule refusals are in history, remembered under their keys.
      const updateEvents = (events ?? []).filter((e) => UPDATE_EVENTS.has(e.eventType!));
      expect(updateEvents.length).toBe(4 * 2);
      expect(after.intents?.filter((i) => i.outcome === 'refused')).toHaveLength(4);
      expect(fake.callsOf('requestFunding')).toEqual([]);
    });
  });

  it('refuses funding beyond the budget, counting the hire charge and the 10% fee', async () => {
    const fake = new FakeOpenTrain();
    // Hire: 300 + 30 + 9.95 = 339.95. Room left: 60.05 → a 55.00 milestone (60.50 with fee) does not fit, 54.00 does.
    await suite.run(fake, { budgetUsd: 400 }, async (handle) => {
      await hireAndActivate(handle, fake);
      const refused = await rejection(
        handle.executeUpdate(addMilestoneUpdate, {
          args: [{ description: 'too much', amountUsd: 55, fund: true }],
        }),
      );
      expect(refused.type).toBe('budget_exceeded');
      expect(fake.callsOf('createMilestone')).toEqual([]);

      const fits = await handle.executeUpdate(addMilestoneUpdate, {
        args: [{ description: 'fits', amountUsd: 54, fund: true }],
      });
      expect(fits.fundApprovalId).toBeDefined();
      // While its funding is pending it already counts: an unfunded extra milestone cannot be funded.
      const extra = await handle.executeUpdate(addMilestoneUpdate, {
        args: [{ description: 'extra', amountUsd: 1 }],
      });
      expect(
        (await rejection(handle.executeUpdate(fundMilestoneUpdate, { args: [{ milestoneId: extra.id }] })))
          .type,
      ).toBe('budget_exceeded');
    });
  });

  it('rejects release of a milestone that is not ACTIVE_FUNDED and anything after the end', async () => {
    const fake = new FakeOpenTrain();
    await suite.run(fake, {}, async (handle) => {
      await hireAndActivate(handle, fake);
      const m2 = await handle.executeUpdate(addMilestoneUpdate, {
        args: [{ description: 'b', amountUsd: 10 }],
      });
      expect(
        (await rejection(handle.executeUpdate(releaseMilestoneUpdate, { args: [{ milestoneId: m2.id }] })))
          .type,
      ).toBe('milestone_not_funded');
      // Release m_1 and confirm: nothing funded remains, so the end is direct (200).
      const r = await handle.executeUpdate(releaseMilestoneUpdate, { args: [{ milestoneId: 'm_1' }] });
      await humanResolves(handle, fake, r.releaseApprovalId!);
      await waitForState(handle, (s) => s.milestones[0]?.status === 'PAID');
      const ended = await handle.executeUpdate(endContractUpdate, { args: [{}] });
      expect(ended.phase).toBe('ended');
      expect((await handle.result()).phase).toBe('ended');
    });
  });
});
