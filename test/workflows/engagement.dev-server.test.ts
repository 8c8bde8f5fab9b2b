import { WorkflowUpdateStage } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { EngagementPhase, NextApprovalExpiry, OpenTrainContractId } from '../../domain/search-attributes';
import {
  addMilestoneSignal,
  addMilestoneUpdate,
  endContractUpdate,
  fundMilestoneUpdate,
  openTrainEventSignal,
  releaseMilestoneUpdate,
  stateQuery,
} from '../../workflows/messages';
import { bundleEngagementWorkflows, createDevServerEnv } from '../support/temporal';
import { DevStack, recordHistory } from './support/dev-stack';
import { waitForState, waitUntil, type EngagementHandle } from './support/engagement-handle';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, bundle] = await Promise.all([createDevServerEnv(), bundleEngagementWorkflows()]);
}, 120_000);
afterAll(async () => {
  await env?.teardown();
});

/**
 * The fewest OpenTrain calls this lifecycle needs: 3 precondition reads (me, capabilities, credits), the hire,
 * one read of its approval and one of the contract; per added milestone a create, a fund request, a read of its
 * approval, a release request and a read of that approval; then the end request, a read of its approval and a
 * last read of the contract (to learn which escrow the end refunded).
 */
function minimumCalls(milestones: number): number {
  return 3 + 1 + 1 + 1 + milestones * 5 + 3;
}

async function hire(stack: DevStack, handle: EngagementHandle, editedAmountUsd: number) {
  const waiting = await waitForState(handle, (s) => s.pendingApprovals.length === 1);
  await stack.confirm(handle, waiting.pendingApprovals[0]!.approvalId, {
    milestone: { amount: editedAmountUsd },
  });
  return waitForState(handle, (s) => s.phase === 'active');
}

async function fundAndRelease(stack: DevStack, handle: EngagementHandle, milestoneId: string) {
  const funding = await handle.executeUpdate(fundMilestoneUpdate, { args: [{ milestoneId }] });
  await stack.confirm(handle, funding.fundApprovalId!);
  await waitForState(
    handle,
    (s) => s.milestones.find((m) => m.id === milestoneId)?.status === 'ACTIVE_FUNDED',
  );
  const releasing = await handle.executeUpdate(releaseMilestoneUpdate, { args: [{ milestoneId }] });
  await stack.confirm(handle, releasing.releaseApprovalId!);
  await waitForState(handle, (s) => s.milestones.find((m) => m.id === milestoneId)?.status === 'PAID');
}

const STARTING_CREDITS_CENTS = 2000_00;

describe('engagement on the dev server with the real activities against the sandbox', () => {
  it('runs the whole lifecycle: edited hire, three milestones funded and released, co-signed end', async () => {
    const stack = await DevStack.start(env, bundle, {
      name: 'lifecycle',
      creditsCents: STARTING_CREDITS_CENTS,
    });
    try {
      await stack.worker.runUntil(async () => {
        const handle = await stack.startEngagement(env, {
          firstMilestone: { name: 'First batch', description: 'Label 5,000 posts', amountUsd: 300 },
          budgetUsd: 2000,
        });
        const active = await hire(stack, handle, 250);
        // The human's edited amount wins over the requested 300.
        expect(active.milestones).toEqual([
          expect.objectContaining({ amountUsd: 250, status: 'ACTIVE_FUNDED' }),
        ]);
        expect(active.trainer?.displayName).toMatch(/^\S+ \S\.$/);
        expect(active.jobDmConversationId).toBeDefined();

        for (const [i, amountUsd] of [100, 120, 80].entries()) {
          const m = await handle.executeUpdate(addMilestoneUpdate, {
            args: [{ name: `Batch ${i + 2}`, description: `Label batch ${i + 2}`, amountUsd }],
          });
          await fundAndRelease(stack, handle, m.id);
        }

        const ending = await handle.executeUpdate(endContractUpdate, { args: [{}] });
        // The first milestone is still funded, so ending needs the human's co-sign.
        expect(ending.phase).toBe('awaiting_end_approval');
        const described = await handle.describe();
        expect(described.typedSearchAttributes.get(EngagementPhase)).toBe('awaiting_end_approval');
        expect(described.typedSearchAttributes.get(OpenTrainContractId)).toBe(ending.contractId);
        expect(described.typedSearchAttributes.get(NextApprovalExpiry)?.toISOString()).toBe(
          ending.pendingApprovals[0]!.expiresAt,
        );
        await stack.confirm(handle, ending.pendingApprovals[0]!.approvalId);

        const final = await handle.result();
        expect(final.phase).toBe('ended');
        // The end refunded the first milestone's escrow; the other three were paid out.
        expect(final.milestones.map((m) => [m.amountUsd, m.status])).toEqual([
          [250, 'REFUNDED'],
          [100, 'PAID'],
          [120, 'PAID'],
          [80, 'PAID'],
        ]);
        expect(final.totals).toEqual({ fundedUsd: 300, releasedUsd: 300, feesUsd: 30 });
        expect((await handle.describe()).typedSearchAttributes.get(NextApprovalExpiry)).toBeUndefined();

        const calls = await stack.requests();
        const { events } = await handle.fetchHistory();
        console.log(
          `lifecycle: ${events!.length} history events; ${calls.length} OpenTrain calls (minimum ${minimumCalls(3)})`,
        );
        expect(calls.length).toBe(minimumCalls(3));
        // The totals are the money that actually left the account (paid from credits here).
        const { availableCents } = await stack.openTrain.getCredits();
        expect(STARTING_CREDITS_CENTS - availableCents).toBe(
          Math.round((final.totals.fundedUsd + final.totals.feesUsd) * 100),
        );
        await recordHistory(handle, 'lifecycle-refund-at-end');
      });
    } finally {
      await stack.close();
    }
  });

  it('re-requests approvals that expire (short approval TTL) and proceeds once the human confirms', async () => {
    const stack = await DevStack.start(env, bundle, { name: 'expiry', approvalTtlMs: 1500 });
    try {
      await stack.worker.runUntil(async () => {
        const handle = await stack.startEngagement(env, {
          firstMilestone: { description: 'First batch', amountUsd: 50 },
          policy: { reminderOffsetsMs: [500] },
        });
        const second = await waitForState(handle, (s) => s.pendingApprovals[0]?.attempt === 2);
        await stack.confirm(handle, second.pendingApprovals[0]!.approvalId);
        await waitForState(handle, (s) => s.phase === 'active');

        const m = await handle.executeUpdate(addMilestoneUpdate, {
          args: [{ description: 'Next', amountUsd: 20, fund: true }],
        });
        const again = await waitForState(handle, (s) => s.pendingApprovals[0]?.attempt === 2);
        expect(again.pendingApprovals[0]!.approvalId).not.toBe(m.fundApprovalId);
        await stack.confirm(handle, again.pendingApprovals[0]!.approvalId);
        await waitForState(handle, (s) => s.milestones[1]?.status === 'ACTIVE_FUNDED');

        const approvals = await stack.control.listApprovals();
        const statuses = (type: string) => approvals.filter((a) => a.type === type).map((a) => a.status);
        expect(statuses('proposal_hire')).toEqual(['expired', 'confirmed']);
        expect(statuses('milestone_fund')).toEqual(['expired', 'confirmed']);
        await recordHistory(handle, 'expiry');
        await handle.terminate('test done');
      });
    } finally {
      await stack.close();
    }
  });

  it('never moves money twice when writes commit but answer 500 (failAfterCommitRate)', async () => {
    const stack = await DevStack.start(env, bundle, { name: 'faults' });
    /** Turn the fault on for one operation until a committed write has answered 500, then off again. */
    async function withCommitFault<T>(pathPart: string, run: () => Promise<T>): Promise<T> {
      await stack.control.setFaults({ failAfterCommitRate: 1 });
      const result = run();
      await waitUntil(async () =>
        (await stack.requests()).some(
          (r) => r.method === 'POST' && r.path.includes(pathPart) && r.status === 500,
        ),
      );
      await stack.control.setFaults({});
      return result;
    }
    try {
      await stack.worker.runUntil(async () => {
        const handle = await stack.startEngagement(env, {
          firstMilestone: { description: 'First', amountUsd: 100 },
        });
        const waiting = await waitForState(handle, (s) => s.pendingApprovals.length === 1);
        await stack.confirm(handle, waiting.pendingApprovals[0]!.approvalId);
        const { contractId } = await waitForState(handle, (s) => s.phase === 'active');

        const created = await withCommitFault('/milestones', () =>
          handle.executeUpdate(addMilestoneUpdate, { args: [{ description: 'Second', amountUsd: 40 }] }),
        );
        const fundUpdate = await withCommitFault(`/milestones/${created.id}/fund`, () =>
          handle.startUpdate(fundMilestoneUpdate, {
            args: [{ milestoneId: created.id }],
            waitForStage: WorkflowUpdateStage.ACCEPTED,
          }),
        );
        const funding = await fundUpdate.result();
        await stack.confirm(handle, funding.fundApprovalId!);
        await waitForState(handle, (s) => s.milestones[1]?.status === 'ACTIVE_FUNDED');
        const releasing = await withCommitFault(`/milestones/${created.id}/approve`, () =>
          handle.executeUpdate(releaseMilestoneUpdate, { args: [{ milestoneId: created.id }] }),
        );
        await stack.confirm(handle, releasing.releaseApprovalId!);
        await waitForState(handle, (s) => s.milestones[1]?.status === 'PAID');
        // The money actually moved once: two milestones on the contract, the first funded, the second paid.
        const contract = await stack.openTrain.getContract(contractId!);
        expect(contract.milestones.map((m) => [m.amountCents, m.status])).toEqual([
          [100_00, 'ACTIVE_FUNDED'],
          [40_00, 'PAID'],
        ]);
        const ending = await withCommitFault('/end', () =>
          handle.executeUpdate(endContractUpdate, { args: [{}] }),
        );
        await stack.confirm(handle, ending.pendingApprovals[0]!.approvalId);
        const final = await handle.result();

        const calls = await stack.requests();
        const posts = (suffix: string) => calls.filter((r) => r.method === 'POST' && r.path.endsWith(suffix));
        // Each faulted write was answered 500 once and retried; OpenTrain saw no second intent.
        expect(posts(`/contracts/${contractId}/milestones`).map((r) => r.status)).toEqual([500]);
        expect(posts(`/milestones/${created.id}/fund`).map((r) => r.status)).toEqual([500, 202]);
        expect(posts(`/milestones/${created.id}/approve`).map((r) => r.status)).toEqual([500, 202]);
        expect(posts(`/contracts/${contractId}/end`).map((r) => r.status)).toEqual([500, 202]);

        const approvals = await stack.control.listApprovals();
        const forMilestone = approvals.filter((a) => a.milestoneId === created.id);
        expect(forMilestone.map((a) => [a.type, a.status])).toEqual([
          ['milestone_fund', 'confirmed'],
          ['milestone_approve', 'confirmed'],
        ]);
        expect(approvals.filter((a) => a.type === 'contract_end')).toHaveLength(1);

        expect(final.totals).toEqual({ fundedUsd: 40, releasedUsd: 40, feesUsd: 4 });
        await recordHistory(handle, 'commit-faults');
      });
    } finally {
      await stack.close();
    }
  });

  it('continues as new with its whole state, and the new run keeps waiting for the pending approval', async () => {
    const stack = await DevStack.start(env, bundle, { name: 'continue-as-new' });
    try {
      await stack.worker.runUntil(async () => {
        const handle = await stack.startEngagement(env, {
          firstMilestone: { description: 'First', amountUsd: 100 },
          policy: { continueAsNewAfterEvents: 1_000 },
        });
        await hire(stack, handle, 100);
        await handle.signal(addMilestoneSignal, { description: 'Second', amountUsd: 10, fund: true });
        const before = await waitForState(handle, (s) => s.pendingApprovals.length === 1);
        // The policy's floor is 1,000 events: events on another contract, which the engagement ignores, fill the
        // first run's history until it hands over with the funding approval still pending.
        const foreign = { eventId: 'evt_elsewhere', type: 'contract.updated', contractId: 'c_elsewhere' };
        await waitUntil(async () => {
          await Promise.all(Array.from({ length: 50 }, () => handle.signal(openTrainEventSignal, foreign)));
          return (await handle.describe()).runId !== handle.firstExecutionRunId;
        }, 60_000);
        const carried = await handle.query(stateQuery);
        expect(carried.milestones).toEqual(before.milestones);
        expect(carried.pendingApprovals).toEqual(before.pendingApprovals);
        expect(carried.history.slice(0, before.history.length)).toEqual(before.history);

        await stack.confirm(handle, before.pendingApprovals[0]!.approvalId);
        await waitForState(handle, (s) => s.milestones[1]?.status === 'ACTIVE_FUNDED');
        await recordHistory(handle, 'continued-as-new');
        await handle.terminate('test done');
      });
    } finally {
      await stack.close();
    }
  });
});
