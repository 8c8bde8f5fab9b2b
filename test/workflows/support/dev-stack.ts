import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { engagementWorkflowId } from '../../../domain/ids';
import type { EngagementInput } from '../../../domain/inputs';
import { OpenTrainClient } from '../../../opentrain';
import { SandboxControl } from '../../../sandbox/control-client';
import { startSandbox, type RunningSandbox } from '../../../sandbox/server';
import type { RecordedRequest } from '../../../sandbox/traffic';
import { createEngagementWorker } from '../../../worker/create-worker';
import type { engagementWorkflow } from '../../../workflows';
import { approvalResolvedSignal } from '../../../workflows/messages';
import type { EngagementHandle } from './engagement-handle';

/** The real worker (real activities, real OpenTrain client) against a fresh sandbox, on the dev server. */
export class DevStack {
  private constructor(
    readonly sandbox: RunningSandbox,
    readonly control: SandboxControl,
    readonly openTrain: OpenTrainClient,
    readonly worker: Worker,
    readonly taskQueue: string,
    readonly token: string,
  ) {}

  static async start(
    env: TestWorkflowEnvironment,
    workflowBundle: WorkflowBundleWithSourceMap,
    options: { approvalTtlMs?: number; name: string; creditsCents?: number },
  ): Promise<DevStack> {
    const sandbox = await startSandbox({ approvalTtlMs: options.approvalTtlMs });
    const control = new SandboxControl(sandbox.url);
    const { token } = await control.createAccount({ creditsCents: options.creditsCents });
    const openTrain = new OpenTrainClient({ baseUrl: sandbox.apiBaseUrl, token });
    const taskQueue = `engagements-${options.name}-${process.pid}`;
    const worker = await createEngagementWorker({
      connection: env.nativeConnection,
      taskQueue,
      openTrain,
      workflowBundle,
    });
    return new DevStack(sandbox, control, openTrain, worker, taskQueue, token);
  }

  async close(): Promise<void> {
    await this.openTrain.close();
    await this.sandbox.close();
  }

  async startEngagement(
    env: TestWorkflowEnvironment,
    input: Omit<EngagementInput, 'proposalId'>,
  ): Promise<EngagementHandle> {
    const { proposalId } = await this.control.createProposal({ token: this.token });
    return env.client.workflow.start<typeof engagementWorkflow>('engagementWorkflow', {
      taskQueue: this.taskQueue,
      workflowId: engagementWorkflowId(proposalId),
      args: [{ proposalId, ...input }],
    });
  }

  /** The human confirms in the sandbox, then event ingestion signals the workflow (as the updates feed does). */
  async confirm(
    handle: EngagementHandle,
    approvalId: string,
    body?: Parameters<SandboxControl['confirmApproval']>[1],
  ) {
    const approval = await this.control.confirmApproval(approvalId, body);
    await handle.signal(approvalResolvedSignal, { approvalId, status: approval.status });
  }

  async requests(): Promise<RecordedRequest[]> {
    return this.control.requests();
  }
}

export const HISTORIES_DIR = path.resolve(__dirname, '../../histories');

/** Which workflow logic the recordings stand for; a new generation is recorded beside the older ones. */
const HISTORY_GENERATION = 'feed-hints';

/**
 * With RECORD_HISTORIES=1, save the run's history (with its real workflowId) for the replay test. A committed
 * history is never overwritten: it stands for the runs still open in production, so a logic change goes behind
 * `patched()` and its new behaviour is recorded under a new name.
 */
export async function recordHistory(handle: EngagementHandle, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  name = `${name}-${HISTORY_GENERATION}`;
  const history = await handle.fetchHistory();
  await mkdir(HISTORIES_DIR, { recursive: true });
  const file = path.join(HISTORIES_DIR, `${name}.json`);
  const body = { workflowId: handle.workflowId, history: JSON.parse(historyToJSON(history)) as unknown };
  try {
    await writeFile(file, `${JSON.stringify(body, null, 1)}\n`, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    console.log(`history ${name}.json is already recorded; kept as it is`);
  }
}
