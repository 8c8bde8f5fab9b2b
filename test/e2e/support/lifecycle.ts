import type { EngagementClient } from '../../../client/engagement-client';
import type { SandboxControl } from '../../../sandbox/control-client';
import type { EngagementState } from '../../../domain/engagement-view';
import { waitForState } from './wait';

/** One way in (library, CLI or HTTP), reduced to the operations the lifecycle needs. */
export interface LifecycleDriver {
  start(proposalId: string): Promise<string>;
  state(engagementId: string): Promise<EngagementState>;
  /** Adds a milestone with `fund: true`; returns its id. */
  addFundedMilestone(engagementId: string, description: string, amountUsd: number): Promise<string>;
  release(engagementId: string, milestoneId: string): Promise<void>;
  end(engagementId: string): Promise<void>;
}

/** The lifecycle through the TypeScript client library (milestone 1: 'Pilot', $120). */
export function libraryDriver(engagements: EngagementClient): LifecycleDriver {
  return {
    start: async (proposalId) =>
      (await engagements.start({ proposalId, firstMilestone: { name: 'Pilot', amountUsd: 120 } }))
        .engagementId,
    state: (id) => engagements.getState(id),
    addFundedMilestone: async (id, description, amountUsd) =>
      (await engagements.addMilestone(id, { description, amountUsd, fund: true })).id,
    release: async (id, milestoneId) => void (await engagements.releaseMilestone(id, milestoneId)),
    end: async (id) => void (await engagements.end(id)),
  };
}

/** How the lifecycle watches the engagement: the e2e tests keep the defaults, the benchmarks wait longer at scale. */
export interface LifecycleWaits {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * The full lifecycle, with the human confirming every co-sign through the sandbox: hire (milestone 1 funded with
 * it) → release 1 → add + fund + release 2 → add + fund 3 → end, co-signed because 3 is still funded.
 */
export async function runLifecycle(
  driver: LifecycleDriver,
  control: Pick<SandboxControl, 'confirmApproval'>,
  proposalId: string,
  waits: LifecycleWaits = {},
): Promise<{ engagementId: string; final: EngagementState; approvalsConfirmed: number }> {
  const engagementId = await driver.start(proposalId);
  const read = () => driver.state(engagementId);
  const waitFor = <T>(what: string, pick: (state: EngagementState) => T | undefined): Promise<T> =>
    waitForState(read, what, pick, waits.timeoutMs, waits.intervalMs);
  let approvalsConfirmed = 0;
  const confirm = async (
    what: string,
    match: (a: EngagementState['pendingApprovals'][number]) => boolean,
  ) => {
    const approval = await waitFor(what, (s) => s.pendingApprovals.find(match));
    await control.confirmApproval(approval.approvalId);
    approvalsConfirmed += 1;
  };
  const milestoneReaches = (milestoneId: string, status: string) =>
    waitFor(`${milestoneId} ${status}`, (s) =>
      s.milestones.find((m) => m.id === milestoneId && m.status === status),
    );
  const release = async (milestoneId: string) => {
    await driver.release(engagementId, milestoneId);
    await confirm(
      `release of ${milestoneId}`,
      (a) => a.type === 'milestone_approve' && a.milestoneId === milestoneId,
    );
    await milestoneReaches(milestoneId, 'PAID');
  };

  await confirm('the hire approval', (a) => a.type === 'proposal_hire');
  const first = await waitFor('the contract', (s) =>
    s.phase === 'active' ? s.milestones.find((m) => m.status === 'ACTIVE_FUNDED') : undefined,
  );
  await release(first.id);

  const second = await driver.addFundedMilestone(engagementId, 'Label 300 more images', 150);
  await confirm('funding of milestone 2', (a) => a.type === 'milestone_fund' && a.milestoneId === second);
  await milestoneReaches(second, 'ACTIVE_FUNDED');
  await release(second);

  const third = await driver.addFundedMilestone(engagementId, 'Stand-by hours', 40);
  await confirm('funding of milestone 3', (a) => a.type === 'milestone_fund' && a.milestoneId === third);
  await milestoneReaches(third, 'ACTIVE_FUNDED');

  await driver.end(engagementId);
  await confirm('the co-signed end', (a) => a.type === 'contract_end');
  const final = await waitFor('the end', (s) => (s.phase === 'ended' ? s : undefined));
  return { engagementId, final, approvalsConfirmed };
}
