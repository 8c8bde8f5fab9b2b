import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { updateIdFor } from '../../domain/intents';
import {
  addMilestoneSignal,
  addMilestoneUpdate,
  endContractUpdate,
  fundMilestoneSignal,
  fundMilestoneUpdate,
  releaseMilestoneUpdate,
  stateQuery,
} from '../../workflows/messages';
import { waitForState, type EngagementHandle } from './support/engagement-handle';
import { apiFailure, FakeOpenTrain } from './support/fake-opentrain';
import { FaultyOpenTrain } from './support/faulty-opentrain';
import { hireAndActivate, humanResolves, timeSkippingSuite } from './support/harness';

const suite = timeSkippingSuite();

async function failureOf(call: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
}

async function addMilestone(handle: EngagementHandle, amountUsd: number, updateId?: string) {
  return handle.executeUpdate(addMilestoneUpdate, {
    args: [{ description: `batch ${amountUsd}`, amountUsd }],
    updateId,
  });
}

describe('durable intents (time-skipping, mocked activities)', () => {
  it('answers a repeated key with the first outcome and sends nothing; refuses the key with other arguments', async () => {
    const fake = new FakeOpenTrain();
    await suite.run(fake, {}, async (handle) => {
      await hireAndActivate(handle, fake);
      const first = await addMilestone(handle, 120, 'add-1');
      const repeat = await addMilestone(handle, 120, 'add-1');
      expect(repeat).toEqual(first);
      // The same key, another request: it reaches the workflow under another updateId and is refused there.
      const mismatch = await failureOf(addMilestone(handle, 130, updateIdFor('add-1', 'f'.repeat(16))));
      expect(mismatch.type).toBe('idempotency_key_mismatch');
      expect(fake.callsOf('createMilestone')).toHaveLength(1);

      const funded = await handle.executeUpdate(fundMilestoneUpdate, {
        args: [{ milestoneId: first.id }],
        updateId: updateIdFor('fund-1', '0'.repeat(16)),
      });
      const again = await handle.executeUpdate(fundMilestoneUpdate, {
        args: [{ milestoneId: first.id }],
        updateId: updateIdFor('fund-1', '1'.repeat(16)),
      });
      expect(again).toEqual(funded);
      expect(fake.callsOf('requestFunding')).toHaveLength(1);
      const state = await handle.query(stateQuery);
      expect(state.pendingApprovals.filter((p) => p.milestoneId === first.id)).toHaveLength(1);
    });
  });

  it('treats signals with one key as one intent, and two funds of one milestone as one request', async () => {
    const fake = new FakeOpenTrain();
    await suite.run(fake, {}, async (handle) => {
      await hireAndActivate(handle, fake);
      const batch = { description: 'signalled batch', amountUsd: 50, idempotencyKey: 'sig-add' };
      await Promise.all([handle.signal(addMilestoneSignal, batch), handle.signal(addMilestoneSignal, batch)]);
      const added = await waitForState(handle, (s) => s.milestones.length === 2);
      expect(fake.callsOf('createMilestone')).toHaveLength(1);

      const milestoneId = added.milestones[1]!.id;
      await Promise.all([
        handle.signal(fundMilestoneSignal, { milestoneId, idempotencyKey: 'fund-a' }),
        handle.signal(fundMilestoneSignal, { milestoneId, idempotencyKey: 'fund-b' }),
      ]);
      const funding = await waitForState(handle, (s) => s.pendingApprovals.length === 1);
      expect(funding.pendingApprovals[0]).toMatchObject({ type: 'milestone_fund', milestoneId });
      expect(fake.callsOf('requestFunding')).toHaveLength(1);
      expect(funding.history.map((h) => h.detail).join('\n')).toMatch(/already requested/);
    });
  });

  it('settles a release whose answer was lost by reading the milestone: PAID means done', async () => {
    const fake = new FaultyOpenTrain();
    await suite.run(fake, {}, async (handle) => {
      await hireAndActivate(handle, fake);
      // The POST committed, the human confirmed during the back-off, and the retry got 409 milestone_not_funded.
      fake.overrides.requestRelease = async () => {
        fake.contract.milestones[0]!.status = 'PAID';
        throw apiFailure('milestone_not_funded');
      };
      const view = await handle.executeUpdate(releaseMilestoneUpdate, { args: [{ milestoneId: 'm_1' }] });
      expect(view.status).toBe('PAID');
      const state = await handle.query(stateQuery);
      expect(state.milestones[0]?.status).toBe('PAID');
      expect(state.pendingApprovals).toEqual([]);
      expect(state.totals.releasedUsd).toBe(300);
      expect(state.history.map((h) => h.kind)).toContain('reconciled');
      expect(fake.callsOf('fetchContract').length).toBeGreaterThanOrEqual(1);
    });
  });

  it('holds the budget reservation of a funding in doubt until OpenTrain shows no approval is live', async () => {
    const fake = new FaultyOpenTrain();
    await suite.run(fake, { budgetUsd: 1000 }, async (handle) => {
      await hireAndActivate(handle, fake); // the hire charge: $339.95
      const second = await addMilestone(handle, 300); // $330 with its fee
      const third = await addMilestone(handle, 310); // $341 with its fee: fits only if the second is not held
      fake.overrides.requestFunding = async () => {
        throw ApplicationFailure.create({
          message: 'response broke the schema',
          type: 'OpenTrainResponseError',
          nonRetryable: true,
        });
      };
      fake.overrides.fetchContract = async () => {
        throw ApplicationFailure.create({
          message: 'OpenTrain unreachable',
          type: 'NETWORK_ERROR',
          nonRetryable: true,
        });
      };
      const inDoubt = await failureOf(
        handle.executeUpdate(fundMilestoneUpdate, { args: [{ milestoneId: second.id }] }),
      );
      expect(inDoubt.type).toBe('opentrain_in_doubt');
      const refused = await failureOf(
        handle.executeUpdate(fundMilestoneUpdate, { args: [{ milestoneId: third.id }] }),
      );
      expect(refused.type).toBe('budget_exceeded');
      expect(refused.message).toContain('$1010.95');
    });
  });

  it('refuses to end while a funding is open, naming it, keeps following that approval, and ends on the same key later', async () => {
    const fake = new FakeOpenTrain();
    await suite.run(fake, {}, async (handle) => {
      await hireAndActivate(handle, fake);
      const added = await addMilestone(handle, 80);
      const funding = await handle.executeUpdate(fundMilestoneUpdate, {
        args: [{ milestoneId: added.id }],
        updateId: 'fund-80',
      });
      const refused = await failureOf(
        handle.executeUpdate(endContractUpdate, { args: [{}], updateId: 'end-after-funding' }),
      );
      expect(refused.type).toBe('approvals_in_flight');
      expect(refused.details?.[0]).toMatchObject({
        openIntents: [
          { key: 'fund-80', kind: 'fund', milestoneId: added.id, approvalId: funding.fundApprovalId },
        ],
      });
      expect(fake.callsOf('requestContractEnd')).toHaveLength(0);

      await humanResolves(handle, fake, funding.fundApprovalId!);
      await waitForState(
        handle,
        (s) => s.milestones[1]?.status === 'ACTIVE_FUNDED' && s.pendingApprovals.length === 0,
      );
      // "Not now" left no trace: the same key, sent again as the refusal says, ends the contract.
      const ending = await handle.executeUpdate(endContractUpdate, {
        args: [{}],
        updateId: 'end-after-funding',
      });
      expect(ending.phase).toBe('awaiting_end_approval');
      expect(fake.callsOf('requestContractEnd')).toHaveLength(1);
    });
  });

  it('folds a contract_ended answer into the ended phase after reading the contract', async () => {
    const fake = new FaultyOpenTrain();
    await suite.run(fake, {}, async (handle) => {
      await hireAndActivate(handle, fake);
      const added = await addMilestone(handle, 40);
      fake.overrides.requestFunding = async () => {
        fake.contract.status = 'ended';
        throw apiFailure('contract_ended');
      };
      const refused = await failureOf(
        handle.executeUpdate(fundMilestoneUpdate, { args: [{ milestoneId: added.id }] }),
      );
      expect(refused.type).toBe('contract_ended');
      const final = await handle.result();
      expect(final.phase).toBe('ended');
    });
  });
});
