import { createHash } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowClient, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import type { EngagementState } from '../../../domain/engagement-view';
import { fingerprintOf, updateIdFor } from '../../../domain/intents';
import type { engagementWorkflow } from '../../../workflows';
import * as messages from '../../../workflows/messages';
import { deliverUpdate } from '../../../client/update-delivery';
import type { Reply, Request, Via } from './model-state';

/**
 * One engagement as the model-based test talks to it: its requests through either door (update or signal twin,
 * the key as the update id or in `idempotencyKey`), the approvalResolved signal event ingestion would send, and
 * "quiet": the moment the engagement can do nothing more without us.
 */

const UPDATES = {
  add: messages.addMilestoneUpdate,
  fund: messages.fundMilestoneUpdate,
  release: messages.releaseMilestoneUpdate,
  end: messages.endContractUpdate,
  retry: messages.retryUpdate,
} satisfies Record<Request['kind'], unknown>;
const SIGNALS = {
  add: messages.addMilestoneSignal,
  fund: messages.fundMilestoneSignal,
  release: messages.releaseMilestoneSignal,
  end: messages.endContractSignal,
  retry: messages.retrySignal,
} satisfies Record<Request['kind'], unknown>;

/** How long one step may take before the run counts as stuck (a real failure, not a slow machine). */
export const STEP_TIMEOUT_MS = 20_000;
/** Polls start fast and back off: most steps settle within a few round trips, and idle polling loads the server. */
const POLL_FIRST_MS = 4;
const POLL_MAX_MS = 40;

export class EngagementConnection {
  /** Runs seen to have completed a workflow task; more than one means the engagement continued-as-new. */
  readonly begunRuns = new Set<string>();
  /** Updates Temporal aborted unrecorded (their workflow task failed) and that were sent again. */
  abortedUpdates = 0;
  private readonly handle: WorkflowHandle<typeof engagementWorkflow>;

  /** `digestUpdateIds`: update ids as the TypeScript client makes them (key + request digest), else the bare key. */
  constructor(
    private readonly client: WorkflowClient,
    readonly workflowId: string,
    private readonly digestUpdateIds: boolean,
  ) {
    // No run id: updates, signals and queries follow the engagement across continue-as-new.
    this.handle = client.getHandle(workflowId);
  }

  async update(request: Request, key: string): Promise<Reply> {
    const update = UPDATES[request.kind] as typeof messages.fundMilestoneUpdate;
    const updateId = this.digestUpdateIds ? updateIdFor(key, digestOf(update.name, request.args)) : key;
    try {
      const value = await withTimeout(
        // As the TypeScript client sends it: again under the same id while Temporal aborts it unrecorded.
        deliverUpdate(
          () => this.handle.executeUpdate(update, { args: [request.args as never], updateId }),
          () => (this.abortedUpdates += 1),
        ),
        `update ${key}`,
      );
      return { ok: true, value };
    } catch (err) {
      return replyOf(err);
    }
  }

  /** The signal twin of a request, its key in `idempotencyKey`; false when the workflow had closed. */
  async signal(request: Request, key: string): Promise<boolean> {
    const signal = SIGNALS[request.kind] as typeof messages.fundMilestoneSignal;
    return this.delivered(this.handle.signal(signal, { ...request.args, idempotencyKey: key } as never));
  }

  /** What an update answered; undefined for a signal alone (fire-and-forget). */
  async deliver(request: Request, key: string, via: Via): Promise<Reply | undefined> {
    if (via === 'update') return this.update(request, key);
    if (via === 'signal') {
      const delivered = await this.signal(request, key);
      return delivered ? undefined : { ok: false, type: 'workflow_closed', message: 'signal not delivered' };
    }
    // Both doors at once under one key: still one intent.
    const [, reply] = await Promise.all([this.signal(request, key), this.update(request, key)]);
    return reply;
  }

  /** Event ingestion tells the engagement how the human decided; false when the workflow had closed. */
  approvalResolved(approvalId: string, status: string): Promise<boolean> {
    return this.delivered(this.handle.signal(messages.approvalResolvedSignal, { approvalId, status }));
  }

  private async delivered(signal: Promise<void>): Promise<boolean> {
    try {
      await signal;
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  state(): Promise<EngagementState> {
    return this.handle.query(messages.stateQuery);
  }

  result(): Promise<EngagementState> {
    return withTimeout(this.handle.result(), 'the workflow result');
  }

  async terminate(): Promise<void> {
    await this.handle.terminate('model run finished').catch(() => undefined);
  }

  /** Wait until the engagement can do nothing more without us: no workflow task and no activity pending. */
  async quiesce(): Promise<void> {
    await until(async () => {
      const d = await this.handle.describe();
      // A run that continued-as-new hands over to the next one, which is then described instead.
      if (d.status.name === 'CONTINUED_AS_NEW') return false;
      if (d.status.name !== 'RUNNING') return true;
      return !d.raw.pendingWorkflowTask && !d.raw.pendingActivities?.length && (await this.begun(d.runId));
    }, 'the engagement to settle');
  }

  /**
   * Whether a run has completed its first workflow task. The run that continue-as-new starts shows no pending
   * workflow task for a moment before its first one is scheduled: it looks quiet then, and is not.
   */
  private async begun(runId: string): Promise<boolean> {
    if (this.begunRuns.has(runId)) return true;
    const { events } = await this.client.getHandle(this.workflowId, runId).fetchHistory();
    const begun = Boolean(events?.some((e) => e.workflowTaskCompletedEventAttributes));
    if (begun) this.begunRuns.add(runId);
    return begun;
  }
}

/** Poll until the probe holds, backing off; throws after STEP_TIMEOUT_MS. */
export async function until(probe: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (let pause = POLL_FIRST_MS; !(await probe()); pause = Math.min(POLL_MAX_MS, pause * 1.5)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/** An update's failure as the model judges it: the ApplicationFailure's type, or the unexpected error's name. */
function replyOf(err: unknown): Reply {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure)
    return { ok: false, type: err.cause.type ?? 'untyped ApplicationFailure', message: err.cause.message };
  if (err instanceof WorkflowNotFoundError)
    return { ok: false, type: 'workflow_closed', message: err.message };
  const e = err as Error;
  const cause = err instanceof WorkflowUpdateFailedError ? `(${String(err.cause)})` : '';
  // A ServiceError wraps the gRPC error: its code and details say what the server refused.
  const grpc = e?.cause as { code?: number; details?: string } | undefined;
  const detail = grpc?.code === undefined ? '' : ` (gRPC ${grpc.code}: ${grpc.details})`;
  return { ok: false, type: `${e?.name ?? 'Error'}${cause}`, message: `${String(e?.message)}${detail}` };
}

/** The request digest the TypeScript client puts in the update id (client/engagement-client.ts). */
function digestOf(updateName: string, args: unknown): string {
  return createHash('sha256')
    .update(`${updateName}\n${fingerprintOf(args)}`)
    .digest('hex');
}

async function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} timed out after ${STEP_TIMEOUT_MS} ms`)),
      STEP_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
