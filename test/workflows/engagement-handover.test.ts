import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { engagementWorkflowId } from '../../domain/ids';
import type { engagementWorkflow } from '../../workflows';
import { confirmNotFitUpdate, openTrainEventSignal } from '../../workflows/messages';
import { bundleEngagementWorkflows, createTimeSkippingEnv } from '../support/temporal';
import { waitForState, waitUntil } from './support/engagement-handle';
import { FakeOpenTrain } from './support/fake-opentrain';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, bundle] = await Promise.all([createTimeSkippingEnv(), bundleEngagementWorkflows()]);
}, 120_000);
afterAll(async () => {
  await env?.teardown();
});

const THRESHOLD = 1_000;

describe('continue-as-new with a handler in flight (time-skipping)', () => {
  it('hands over while confirmNotFit waits on the main loop, and the next run hires with the override', async () => {
    const fake = new FakeOpenTrain();
    fake.notAFit = true;
    const taskQueue = `handover-${process.pid}`;
    const proposalId = `p_handover_${process.pid}`;
    // No sticky cache: the next worker gets the workflow task at once, not after the sticky queue times out.
    const worker = () =>
      Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: bundle,
        activities: fake.activities(),
        maxCachedWorkflows: 0,
      });

    const handle = await env.client.workflow.start<typeof engagementWorkflow>('engagementWorkflow', {
      taskQueue,
      workflowId: engagementWorkflowId(proposalId),
      args: [
        {
          proposalId,
          firstMilestone: { description: 'first batch', amountUsd: 300 },
          policy: { continueAsNewAfterEvents: THRESHOLD },
        },
      ],
    });
    const first = await worker();
    await first.runUntil(
      waitForState(handle, (s) => s.blockers[0]?.kind === 'not_fit_confirmation_required'),
    );

    // With no worker running, the history passes the threshold and the update arrives: the next workflow task
    // holds both, so the run must hand over while the update's handler is waiting for the main loop to act.
    const notices = Array.from({ length: THRESHOLD }, (_, i) => ({
      eventId: `evt_${i}`,
      type: 'milestone.status_changed',
      contractId: 'c_not_ours',
    }));
    for (let i = 0; i < notices.length; i += 100)
      await Promise.all(notices.slice(i, i + 100).map((n) => handle.signal(openTrainEventSignal, n)));
    const confirmed = handle.executeUpdate(confirmNotFitUpdate, { args: [{}], updateId: 'confirm-1' });

    const second = await worker();
    await second.runUntil(async () => {
      const answer = await confirmed.then(
        (state) => ({ ok: true as const, state }),
        (err: { cause?: { type?: string } }) => ({ ok: false as const, type: err.cause?.type }),
      );
      // Either answered from this run once acted on, or "in progress" because the run handed over first.
      if (!answer.ok) expect(answer.type).toBe('intent_in_progress');
      await waitUntil(async () => (await handle.describe()).runId !== handle.firstExecutionRunId, 30_000);
      const waiting = await waitForState(handle, (s) => s.phase === 'awaiting_hire_approval', 30_000);
      const overrides = fake
        .callsOf('requestHire')
        .map((c) => (c.input as { confirmNotFitOverride: boolean }).confirmNotFitOverride);
      expect(overrides).toEqual([false, true]);
      expect(waiting.intents?.find((i) => i.key === 'confirm-1')).toMatchObject({ status: 'settled' });
      await handle.terminate('test finished');
    });
  }, 180_000);
});
