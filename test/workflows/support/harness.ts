import { temporal } from '@temporalio/proto';
import { SearchAttributeType } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { EngagementState } from '../../../domain/engagement-view';
import { engagementWorkflowId } from '../../../domain/ids';
import { ENGAGEMENT_SEARCH_ATTRIBUTES } from '../../../domain/search-attributes';
import { bundleEngagementWorkflows, createTimeSkippingEnv } from '../../support/temporal';
import type { EngagementInput } from '../../../domain/inputs';
import { approvalResolvedSignal, stateQuery } from '../../../workflows/messages';
import type { engagementWorkflow } from '../../../workflows';
import type { FakeOpenTrain } from './fake-opentrain';

export type EngagementHandle = WorkflowHandleWithFirstExecutionRunId<typeof engagementWorkflow>;

let counter = 0;

const INDEXED_TYPE: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.KEYWORD]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.DATETIME]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};

/** The time-skipping server knows no custom search attributes until they are added (as on any namespace). */
async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      ENGAGEMENT_SEARCH_ATTRIBUTES.map((k) => [k.name, INDEXED_TYPE[k.type]!]),
    ),
  });
}

/** A time-skipping server with our search attributes, and the engagement workflows bundled. */
export async function timeSkippingSetup(): Promise<{
  env: TestWorkflowEnvironment;
  bundle: WorkflowBundleWithSourceMap;
}> {
  const [env, bundle] = await Promise.all([createTimeSkippingEnv(), bundleEngagementWorkflows()]);
  await registerSearchAttributes(env);
  return { env, bundle };
}

/** Run one engagement on its own task queue with the fake's activities, for the duration of `body`. */
export async function runEngagement(
  env: TestWorkflowEnvironment,
  workflowBundle: WorkflowBundleWithSourceMap,
  fake: FakeOpenTrain,
  input: Partial<EngagementInput>,
  body: (handle: EngagementHandle) => Promise<void>,
): Promise<void> {
  counter += 1;
  const taskQueue = `engagements-test-${process.pid}-${counter}`;
  const proposalId = `p_${process.pid}_${counter}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle,
    activities: fake.activities(),
  });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof engagementWorkflow>('engagementWorkflow', {
      taskQueue,
      workflowId: engagementWorkflowId(proposalId),
      args: [{ proposalId, firstMilestone: { description: 'first batch', amountUsd: 300 }, ...input }],
    });
    try {
      await body(handle);
    } finally {
      // A workflow left running (e.g. after a failed assertion) would hold the shared server's clock still.
      await handle.terminate('test finished').catch(() => undefined);
    }
  });
}

/** Poll the `state` query (real time, no skipping) until the predicate holds. */
export async function waitForState(
  handle: EngagementHandle,
  predicate: (s: EngagementState) => boolean,
  timeoutMs = 15_000,
): Promise<EngagementState> {
  const deadline = Date.now() + timeoutMs;
  let last: EngagementState | undefined;
  while (Date.now() < deadline) {
    last = await handle.query(stateQuery);
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`state never matched; last state: ${JSON.stringify(last, null, 2)}`);
}

/** The human confirms (or declines) and event ingestion tells the workflow, as the updates feed would. */
export async function humanResolves(
  handle: EngagementHandle,
  fake: FakeOpenTrain,
  approvalId: string,
  status: 'confirmed' | 'declined' = 'confirmed',
): Promise<void> {
  fake.resolve(approvalId, status);
  await handle.signal(approvalResolvedSignal, { approvalId, status });
}

/** Hire requested, confirmed, contract active: the common start of the milestone scenarios. */
export async function hireAndActivate(
  handle: EngagementHandle,
  fake: FakeOpenTrain,
): Promise<EngagementState> {
  const waiting = await waitForState(handle, (s) => s.pendingApprovals.length === 1);
  await humanResolves(handle, fake, waiting.pendingApprovals[0]!.approvalId);
  return waitForState(handle, (s) => s.phase === 'active');
}
