import { WorkflowUpdateFailedError } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflows, createDevServerEnv } from '../support/temporal';
import { bumpSignal, counter, countQuery, finishSignal, setLabelUpdate } from '../support/smoke-workflows';

describe('dev server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createDevServerEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('runs a workflow with a signal, an update with a validator, and a query', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'smoke-dev-server',
      workflowBundle: await bundleWorkflows(require.resolve('../support/smoke-workflows')),
    });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(counter, {
        taskQueue: 'smoke-dev-server',
        workflowId: 'smoke-counter',
      });
      await handle.signal(bumpSignal, { by: 2 });
      await handle.signal(bumpSignal, { by: 3 });
      expect(await handle.executeUpdate(setLabelUpdate, { args: [{ label: 'first' }] })).toBe('none');
      await expect(handle.executeUpdate(setLabelUpdate, { args: [{ label: '' }] })).rejects.toBeInstanceOf(
        WorkflowUpdateFailedError,
      );
      expect(await handle.query(countQuery)).toEqual({ count: 5, label: 'first' });
      await handle.signal(finishSignal);
      expect(await handle.result()).toEqual({ count: 5, label: 'first' });

      const history = await handle.fetchHistory();
      const accepted = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
      expect(accepted).toHaveLength(1); // the rejected update left no trace

      // A history that went through JSON replays: the protobufjs pin keeps "type must be a Type" away.
      const json: unknown = JSON.parse(historyToJSON(history));
      await Worker.runReplayHistory(
        { workflowBundle: await bundleWorkflows(require.resolve('../support/smoke-workflows')) },
        historyFromJSON(json),
        'smoke-counter',
      );
    });
  });

  it('has the engagement search attributes registered', async () => {
    const { customAttributes } = await env.connection.operatorService.listSearchAttributes({
      namespace: env.namespace ?? 'default',
    });
    expect(Object.keys(customAttributes ?? {})).toEqual(
      expect.arrayContaining([
        'EngagementPhase',
        'OpenTrainProposalId',
        'OpenTrainContractId',
        'NextApprovalExpiry',
      ]),
    );
  });
});
