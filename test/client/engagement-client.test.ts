import { type Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { EngagementClient } from '../../client/engagement-client';
import { UpdateRejectedError } from '../../client/errors';

/** A Temporal client whose every update fails the way a workflow's handler failure reaches callers. */
function clientFailingUpdatesWith(failure: ApplicationFailure): Client {
  const handle = {
    executeUpdate: async () => {
      throw new WorkflowUpdateFailedError('Workflow Update failed', failure);
    },
  };
  return { workflow: { getHandle: () => handle } } as unknown as Client;
}

describe('EngagementClient', () => {
  it("turns a failed update into UpdateRejectedError carrying the workflow's type, reason and details", async () => {
    const failure = ApplicationFailure.create({
      type: 'payment_method_required',
      message: 'milestone m_2 was created (NOT_FUNDED) but its funding was not requested: no card on file',
      details: [{ billingUrl: 'http://127.0.0.1:4010/billing', createdMilestone: { id: 'm_2' } }],
      nonRetryable: true,
    });
    const engagements = new EngagementClient(clientFailingUpdatesWith(failure));

    const error = await engagements.fundMilestone('engagement-prp_1', 'm_2').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UpdateRejectedError);
    expect(error).toMatchObject({
      engagementId: 'engagement-prp_1',
      failureType: 'payment_method_required',
      reason: expect.stringContaining('was created (NOT_FUNDED)'),
      details: { billingUrl: 'http://127.0.0.1:4010/billing', createdMilestone: { id: 'm_2' } },
    });
  });
});
