import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflows, createTimeSkippingEnv } from '../support/temporal';
import { sleepsThreeDays } from '../support/smoke-workflows';

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('completes a workflow that sleeps 72 hours in seconds of wall time', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'smoke-time-skipping',
      workflowBundle: await bundleWorkflows(require.resolve('../support/smoke-workflows')),
    });
    const wallStart = Date.now();
    const workflowStart = await env.currentTimeMs();
    const result = await worker.runUntil(
      env.client.workflow.execute(sleepsThreeDays, {
        taskQueue: 'smoke-time-skipping',
        workflowId: 'smoke-sleep',
      }),
    );
    expect(result).toBe('woke');
    expect((await env.currentTimeMs()) - workflowStart).toBeGreaterThanOrEqual(72 * 60 * 60 * 1000);
    expect(Date.now() - wallStart).toBeLessThan(10_000);
  });
});
