import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { EngagementActivities } from '../../../activities/engagement';
import { apiFailure } from './fake-opentrain';
import { ModelWorld } from './model-world';

/**
 * The fake OpenTrain at the activity boundary for the model-based test: one `ModelWorld` per engagement, found by
 * the calling activity's workflow id, so one worker serves every run.
 */
export class ModelOpenTrain {
  private readonly worlds = new Map<string, ModelWorld>();

  open(workflowId: string, budgetCents: number | undefined, inDoubtAt: Iterable<number>): ModelWorld {
    const world = new ModelWorld(workflowId, budgetCents, new Set(inDoubtAt));
    this.worlds.set(workflowId, world);
    return world;
  }

  close(workflowId: string): void {
    this.worlds.delete(workflowId);
  }

  private world(): ModelWorld {
    const workflowId = activityInfo().workflowExecution?.workflowId ?? '';
    const world = this.worlds.get(workflowId);
    // A workflow of a finished run (already terminated) has no world left: fail it for good.
    if (!world) throw ApplicationFailure.nonRetryable(`no model world for ${workflowId}`, 'NOT_FOUND');
    return world;
  }

  activities(): EngagementActivities {
    return {
      checkPreconditions: async () => ({ blockers: [], notes: [] }),
      requestHire: async (input) =>
        this.world().write('requestHire', input, () => this.world().requestHire(input.milestone.amountCents)),
      fetchApproval: async (input) =>
        this.world().read('fetchApproval', input, () => {
          const approval = this.world().approvals.find((a) => a.id === input.approvalId);
          if (!approval) throw apiFailure('NOT_FOUND');
          return approval;
        }),
      fetchContract: async (input) =>
        this.world().read('fetchContract', input, () => this.world().contract()),
      createMilestone: async (input) => {
        const adopt = input.reconcile || activityInfo().attempt > 1 ? input.knownMilestoneIds : undefined;
        return this.world().write('createMilestone', input, () => this.world().createMilestone(input, adopt));
      },
      requestFunding: async (input) =>
        this.world().write('requestFunding', input, () => this.world().requestFunding(input.milestoneId)),
      requestRelease: async (input) =>
        this.world().write('requestRelease', input, () => this.world().requestRelease(input.milestoneId)),
      requestContractEnd: async (input) =>
        this.world().write('requestContractEnd', input, () => this.world().requestContractEnd()),
      // The model does not send messages; a call would be a bug in the workflow.
      postThreadMessage: async () => {
        throw apiFailure('NOT_FOUND');
      },
      readThreadNewest: async () => [],
      notifyHuman: async () => undefined,
    };
  }
}
