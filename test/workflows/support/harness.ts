import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { EngagementState } from '../../../domain/engagement-view';
import { engagementWorkflowId } from '../../../domain/ids';
import type { EngagementInput } from '../../../domain/inputs';
import type { engagementWorkflow } from '../../../workflows';
import { approvalResolvedSignal } from '../../../workflows/messages';
import { bundleEngagementWorkflows, createTimeSkippingEnv } from '../../support/temporal';
import { waitForState, type EngagementHandle } from './engagement-handle';
import type { FakeOpenTrain } from './fake-opentrain';

export interface TimeSkippingSuite {
  /** The suite's time-skipping server (available inside tests). */
  readonly env: TestWorkflowEnvironment;
  /** Run one engagement on its own task queue with the fake's activities, for the duration of `body`. */
  run(
    fake: FakeOpenTrain,
    input: Partial<EngagementInput>,
    body: (handle: EngagementHandle) => Promise<void>,
  ): Promise<void>;
}

let counter = 0;
/** Task queues and ids unique per file too: one Jest process runs several files, each on its own server. */
const FILE_RUN = Math.random().toString(36).slice(2, 8);

/**
 * Sets up a test file: one time-skipping server and the engagement workflows bundled once (beforeAll), torn down
 * afterAll. Call it at the top of the file.
 */
export function timeSkippingSuite(): TimeSkippingSuite {
  let started: { env: TestWorkflowEnvironment; bundle: WorkflowBundleWithSourceMap } | undefined;
  beforeAll(async () => {
    const [env, bundle] = await Promise.all([createTimeSkippingEnv(), bundleEngagementWorkflows()]);
    started = { env, bundle };
  }, 120_000);
  afterAll(async () => {
    await started?.env.teardown();
  });
  const current = () => {
    if (!started) throw new Error('the time-skipping server is not started (use it inside tests)');
    return started;
  };
  return {
    get env() {
      return current().env;
    },
    run: (fake, input, body) => runEngagement(current(), fake, input, body),
  };
}

async function runEngagement(
  { env, bundle }: { env: TestWorkflowEnvironment; bundle: WorkflowBundleWithSourceMap },
  fake: FakeOpenTrain,
  input: Partial<EngagementInput>,
  body: (handle: EngagementHandle) => Promise<void>,
): Promise<void> {
  counter += 1;
  const taskQueue = `engagements-test-${process.pid}-${FILE_RUN}-${counter}`;
  const proposalId = `p_${process.pid}_${counter}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
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
      await untilQuiet(handle);
      await handle.terminate('test finished').catch(() => undefined);
    }
  });
}

/**
 * The time-skipping server stops its clock while an activity is scheduled or running and until the workflow task
 * that takes its result completes, and never starts it again if the workflow closes in between
 * (temporalio/sdk-java#1138): every later `env.sleep` of the file then sleeps in real time. So a test's workflow
 * is terminated only once it is quiet — no activity open, no workflow task pending — or after a bound, so that a
 * test ending mid-call is not held up for long.
 */
async function untilQuiet(handle: EngagementHandle, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const history = await handle.fetchHistory().catch(() => undefined);
    if (!history || isQuiet(history.events ?? [])) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** No activity open, and no workflow task scheduled since the last one completed. */
function isQuiet(events: temporal.api.history.v1.IHistoryEvent[]): boolean {
  const open = new Set<string>();
  for (const e of events) {
    if (e.activityTaskScheduledEventAttributes) open.add(String(e.eventId));
    const closed =
      e.activityTaskCompletedEventAttributes ??
      e.activityTaskFailedEventAttributes ??
      e.activityTaskTimedOutEventAttributes ??
      e.activityTaskCanceledEventAttributes;
    if (closed) open.delete(String(closed.scheduledEventId));
  }
  const lastTaskDone = events.map((e) => Boolean(e.workflowTaskCompletedEventAttributes)).lastIndexOf(true);
  return (
    open.size === 0 && !events.slice(lastTaskDone + 1).some((e) => e.workflowTaskScheduledEventAttributes)
  );
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
