import { activityInfo, CompleteAsyncError } from '@temporalio/activity';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { engagementWorkflowId } from '../../domain/ids';
import type { engagementWorkflow } from '../../workflows';
import { addMilestoneUpdate } from '../../workflows/messages';
import { bundleEngagementWorkflows, createDevServerEnv } from '../support/temporal';
import { waitUntil } from './support/engagement-handle';
import { FakeOpenTrain } from './support/fake-opentrain';

/**
 * Found by the fault suite: a worker dies after applying the hire's answer (a query already showed the contract
 * active), and the task that delivers the answer again also carries the caller's addMilestone. The SDK runs update
 * handlers before it applies activity results, so the add was judged against the engagement before the hire and
 * refused "not active yet" — a refusal then remembered as the key's outcome. Reproduced here exactly: the hire
 * activity is completed and the update sent while no worker runs, so one workflow task carries both.
 */

jest.setTimeout(120_000);
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createDevServerEnv();
});
afterAll(() => env?.teardown());

it('judges an update that arrives with the hire answer after that answer', async () => {
  const bundle = await bundleEngagementWorkflows();
  const taskQueue = `update-ordering-${process.pid}`;
  const proposalId = `p_ordering_${process.pid}`;
  const fake = new FakeOpenTrain();
  fake.hireOutcomes = ['already_accepted'];
  const real = fake.activities();

  // Worker A starts the hire request and leaves it to be completed from outside.
  let taskToken: Uint8Array | undefined;
  const workerA = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: {
      ...real,
      requestHire: async () => {
        taskToken = activityInfo().taskToken;
        throw new CompleteAsyncError();
      },
    },
  });
  const handle = await workerA.runUntil(async () => {
    const started = await env.client.workflow.start<typeof engagementWorkflow>('engagementWorkflow', {
      taskQueue,
      workflowId: engagementWorkflowId(proposalId),
      args: [{ proposalId, firstMilestone: { description: 'first batch', amountUsd: 300 } }],
    });
    await waitUntil(async () => taskToken !== undefined);
    return started;
  });

  // No worker now: the hire's answer and the update wait for the same workflow task.
  // What OpenTrain answers when the proposal was already hired: the contract, its first milestone funded.
  const answer = await new MockActivityEnvironment().run(real.requestHire, {
    proposalId,
  } as Parameters<typeof real.requestHire>[0]);
  await env.client.activity.complete(taskToken!, answer);
  const added = handle.executeUpdate(addMilestoneUpdate, {
    args: [{ description: 'batch 2', amountUsd: 120 }],
    updateId: 'ordering-add-1',
  });

  const workerB = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: real,
  });
  try {
    await workerB.runUntil(async () => {
      const milestone = await added;
      expect(milestone.description).toBe('batch 2');
      // The same key answers the same milestone, and OpenTrain was asked to create it once.
      const again = await handle.executeUpdate(addMilestoneUpdate, {
        args: [{ description: 'batch 2', amountUsd: 120 }],
        updateId: 'ordering-add-1',
      });
      expect(again.id).toBe(milestone.id);
      expect(fake.callsOf('createMilestone')).toHaveLength(1);
    });
    // A worker that meets this history cold must take the same path: no nondeterminism on replay.
    const history = await handle.fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, handle.workflowId);
  } finally {
    await handle.terminate('test finished').catch(() => undefined);
  }
});
