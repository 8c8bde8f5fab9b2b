import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import {
  ApplicationFailure,
  type UpdateDefinition,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
} from '@temporalio/common';
import { z } from 'zod';
import { engagementStateSchema, milestoneViewSchema } from '../domain/engagement-view';
import type { EngagementState, MilestoneView } from '../domain/engagement-view';
import { engagementWorkflowId, TASK_QUEUE } from '../domain/ids';
import {
  addMilestoneInputSchema,
  engagementIdSchema,
  engagementInputSchema,
  milestoneRefSchema,
  retryInputSchema,
} from '../domain/inputs';
import type { AddMilestoneInput, EngagementInput, MilestoneRef, RetryInput } from '../domain/inputs';
import { phaseSchema, TERMINAL_PHASES } from '../domain/phases';
import type { Phase } from '../domain/phases';
import {
  EngagementPhase,
  NextApprovalExpiry,
  OpenTrainContractId,
  OpenTrainProposalId,
} from '../domain/search-attributes';
import { parseInput } from '../domain/validation';
import {
  addMilestoneUpdate,
  confirmNotFitUpdate,
  endContractUpdate,
  fundMilestoneUpdate,
  recheckPreconditionsSignal,
  releaseMilestoneUpdate,
  retryUpdate,
  sendMessageUpdate,
  stateQuery,
} from '../workflows/messages';
import { OpenTrainApiError, type OpenTrainClient } from '../opentrain';
import {
  sendMessageInputSchema,
  threadMessageSchema,
  threadPageQuerySchema,
  toThreadMessage,
  type SendMessageInput,
  type ThreadMessage,
  type ThreadPage,
  type ThreadPageQuery,
} from '../domain/thread';
import type { AuditTrail } from './audit/audit-entry';
import { readAuditTrail } from './audit/read-audit';
import { EngagementNotFoundError, UpdateRejectedError } from './errors';
import { idempotencyKeyOf } from './idempotency-key';
import { guardedQuery } from './guarded-query';
import { deliverUpdate } from './update-delivery';
import { fingerprintOf, updateIdFor } from '../domain/intents';
import type { IntentDoor } from '../domain/intents';
import type { IdempotencyOptions } from './idempotency-key';

/** The workflow type name, as registered by the worker (`workflows/engagement.ts`). */
const ENGAGEMENT_WORKFLOW_TYPE = 'engagementWorkflow';

/** One id schema for every door; its length limit is the one the HTTP router lets through. */
export { engagementIdSchema };

export const listFilterSchema = z.object({
  phase: phaseSchema.optional(),
  expiringWithinHours: z
    .number({ error: 'must be a number of hours' })
    .positive({ error: 'must be greater than 0' })
    .max(24 * 366, { error: 'must be at most a year' })
    .optional(),
});
export type ListFilter = z.infer<typeof listFilterSchema>;

export const engagementSummarySchema = z.object({
  engagementId: z.string(),
  proposalId: z.string().optional(),
  phase: phaseSchema.optional(),
  contractId: z.string().optional(),
  /** Earliest expiry among the pending approvals, ISO 8601. */
  nextApprovalExpiry: z.string().optional(),
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, … */
  status: z.string(),
  startedAt: z.string(),
});
export type EngagementSummary = z.infer<typeof engagementSummarySchema>;

/** What the CLI and the HTTP API use; tests substitute fakes of this shape. */
export type EngagementOperations = Pick<
  EngagementClient,
  | 'start'
  | 'addMilestone'
  | 'fundMilestone'
  | 'releaseMilestone'
  | 'end'
  | 'retry'
  | 'recheckPreconditions'
  | 'confirmNotFit'
  | 'getState'
  | 'list'
  | 'watch'
  | 'sendMessage'
  | 'listMessages'
  | 'audit'
>;

/** What `listMessages` reads through: the OpenTrain client (its token stays inside it). */
export type ThreadReader = Pick<OpenTrainClient, 'listMessages'>;

export interface WatchOptions {
  /** How often the state is read; the iterator yields only when it changed. */
  pollIntervalMs?: number;
  signal?: AbortSignal;
  /**
   * What counts as a change (default: anything in the state). `decisionPointsOf` (engagement-changes.ts) keeps
   * only what a caller acts on: the phase, approvals requested or resolved, milestones' statuses, blockers.
   */
  changeOf?: (state: EngagementState) => unknown;
}

/**
 * The TypeScript way in: every operation on engagements, validated with the same zod schemas as the workflow
 * before anything is sent, and Temporal's errors translated into `errors.ts`.
 */
export class EngagementClient {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string = TASK_QUEUE,
    /** The way in this client serves, recorded with every intent for the audit trail. */
    readonly door: IntentDoor = 'library',
    /** Needed only by `listMessages`; without it that one read is refused (`opentrain_not_configured`). */
    private readonly threadReader?: ThreadReader,
  ) {}

  /** The same connection, for another door (the HTTP API's MCP endpoint beside its REST routes). */
  forDoor(door: IntentDoor): EngagementClient {
    return new EngagementClient(this.client, this.taskQueue, door, this.threadReader);
  }

  /**
   * Idempotent: an engagement for the same proposal (running or finished) is returned, not started again. The
   * proposal already is the key (the workflow keys its hire intent `hire`), so a caller's key is only checked,
   * which keeps every mutation's signature and validation alike.
   */
  async start(input: EngagementInput, options?: IdempotencyOptions): Promise<{ engagementId: string }> {
    const parsed = parseInput(engagementInputSchema, input, 'engagement');
    idempotencyKeyOf(options);
    const engagementId = engagementWorkflowId(parsed.proposalId);
    try {
      await this.client.workflow.start(ENGAGEMENT_WORKFLOW_TYPE, {
        workflowId: engagementId,
        taskQueue: this.taskQueue,
        // The door rides beside the input for the audit trail; the workflow's own parse leaves it out.
        args: [{ ...parsed, door: this.door }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        // A finished engagement stays the answer for its proposal; a new hire needs a new proposal.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: OpenTrainProposalId, value: parsed.proposalId },
          { key: EngagementPhase, value: 'checking_preconditions' satisfies Phase },
        ],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    return { engagementId };
  }

  async addMilestone(
    engagementId: string,
    input: AddMilestoneInput,
    options?: IdempotencyOptions,
  ): Promise<MilestoneView> {
    const parsed = parseInput(addMilestoneInputSchema, input, 'milestone');
    return this.executeUpdate(engagementId, addMilestoneUpdate, parsed, milestoneViewSchema, options);
  }

  async fundMilestone(
    engagementId: string,
    milestoneId: string,
    options?: IdempotencyOptions,
  ): Promise<MilestoneView> {
    return this.milestoneStep(engagementId, fundMilestoneUpdate, milestoneId, options);
  }

  async releaseMilestone(
    engagementId: string,
    milestoneId: string,
    options?: IdempotencyOptions,
  ): Promise<MilestoneView> {
    return this.milestoneStep(engagementId, releaseMilestoneUpdate, milestoneId, options);
  }

  /** Resolves once the contract has ended, or once the co-signed end is waiting for the human. */
  async end(engagementId: string, options?: IdempotencyOptions): Promise<EngagementState> {
    return this.executeUpdate(engagementId, endContractUpdate, {}, engagementStateSchema, options);
  }

  async retry(
    engagementId: string,
    input: RetryInput,
    options?: IdempotencyOptions,
  ): Promise<EngagementState> {
    const parsed = parseInput(retryInputSchema, input, 'retry');
    return this.executeUpdate(engagementId, retryUpdate, parsed, engagementStateSchema, options);
  }

  async confirmNotFit(engagementId: string, options?: IdempotencyOptions): Promise<EngagementState> {
    return this.executeUpdate(engagementId, confirmNotFitUpdate, {}, engagementStateSchema, options);
  }

  /**
   * A message to the trainer in the contract's thread; resolves with it once OpenTrain shows it. The key makes
   * it one message: a repeat answers the first outcome, and an in-doubt answer is settled by reading the thread.
   */
  async sendMessage(
    engagementId: string,
    input: SendMessageInput,
    options?: IdempotencyOptions,
  ): Promise<ThreadMessage> {
    const parsed = parseInput(sendMessageInputSchema, input, 'message');
    return this.executeUpdate(engagementId, sendMessageUpdate, parsed, threadMessageSchema, options);
  }

  /** One page of the whole thread, read from OpenTrain (the engagement's state keeps only the newest 50). */
  async listMessages(engagementId: string, query: ThreadPageQuery = {}): Promise<ThreadPage> {
    const parsed = parseInput(threadPageQuerySchema, query, 'message list');
    const state = await this.getState(engagementId);
    const conversationId = state.jobDmConversationId;
    const refuse = (reason: string, type: string, details?: Record<string, unknown>) =>
      new UpdateRejectedError(state.engagementId, 'listMessages', reason, type, details);
    if (!conversationId) throw refuse('there is no contract thread yet', 'contract_not_active');
    if (!this.threadReader)
      throw refuse(
        'reading threads needs OPENTRAIN_API_TOKEN where this client runs',
        'opentrain_not_configured',
      );
    try {
      const page = await this.threadReader.listMessages({ conversationId, ...parsed });
      return {
        engagementId: state.engagementId,
        conversationId,
        // The whole text (no excerpt): this read pages OpenTrain's thread, not the engagement's copy.
        messages: page.messages.map((m) => toThreadMessage(m)),
        nextCursor: page.nextCursor,
      };
    } catch (err) {
      if (err instanceof OpenTrainApiError) throw refuse(err.message, err.reason ?? err.code, err.details);
      throw err;
    }
  }

  /**
   * Fire-and-forget: the workflow re-runs its precondition checks now instead of at the next interval. Signals
   * have no id of their own, so the key rides in the argument; it is sent by the signal's name because the
   * definition's argument type (an empty input) has no room for it, while the handler takes the key off first.
   */
  async recheckPreconditions(engagementId: string, options?: IdempotencyOptions): Promise<void> {
    const idempotencyKey = idempotencyKeyOf(options);
    await this.onEngagement(engagementId, recheckPreconditionsSignal.name, (h) =>
      h.signal(recheckPreconditionsSignal.name, { idempotencyKey, door: this.door }),
    );
  }

  async getState(engagementId: string): Promise<EngagementState> {
    const id = parseInput(engagementIdSchema, engagementId, 'engagement id');
    try {
      return engagementStateSchema.parse(await guardedQuery(this.client.workflow.getHandle(id), stateQuery));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new EngagementNotFoundError(id);
      throw err;
    }
  }

  /**
   * Every decision of the engagement in order (client/audit): intents with their door and key, requests to
   * OpenTrain, the human's answers, expiries, reminders, parks, across all continue-as-new runs.
   */
  async audit(engagementId: string): Promise<AuditTrail> {
    const state = await this.getState(engagementId);
    return readAuditTrail(this.client, state.engagementId, state);
  }

  /** Engagements by phase and/or by how soon a pending approval expires, from the search attributes. */
  async list(filter: ListFilter = {}): Promise<EngagementSummary[]> {
    const parsed = parseInput(listFilterSchema, filter, 'list filter');
    const clauses = [`WorkflowType = '${ENGAGEMENT_WORKFLOW_TYPE}'`];
    // Phase values come from a closed enum, so interpolating them cannot inject into the query.
    if (parsed.phase) clauses.push(`${EngagementPhase.name} = '${parsed.phase}'`);
    if (parsed.expiringWithinHours !== undefined) {
      const until = new Date(Date.now() + parsed.expiringWithinHours * 3_600_000).toISOString();
      clauses.push(`${NextApprovalExpiry.name} <= '${until}'`, `ExecutionStatus = 'Running'`);
    }
    const summaries: EngagementSummary[] = [];
    for await (const execution of this.client.workflow.list({ query: clauses.join(' AND ') })) {
      const attributes = execution.typedSearchAttributes;
      summaries.push({
        engagementId: execution.workflowId,
        proposalId: attributes.get(OpenTrainProposalId),
        phase: phaseSchema.safeParse(attributes.get(EngagementPhase)).data,
        contractId: attributes.get(OpenTrainContractId),
        nextApprovalExpiry: attributes.get(NextApprovalExpiry)?.toISOString(),
        status: execution.status.name,
        startedAt: execution.startTime.toISOString(),
      });
    }
    return summaries;
  }

  /**
   * State changes as an async iterator: the first state, then each one that differs from the last, ending after
   * a terminal phase (or when `signal` aborts).
   */
  async *watch(engagementId: string, options: WatchOptions = {}): AsyncGenerator<EngagementState> {
    const pollIntervalMs = options.pollIntervalMs ?? 1_000;
    const changeOf = options.changeOf ?? ((state: EngagementState) => state);
    let last: string | undefined;
    while (!options.signal?.aborted) {
      const state = await this.getState(engagementId);
      const serialised = JSON.stringify(changeOf(state));
      if (serialised !== last) {
        last = serialised;
        yield state;
      }
      if (TERMINAL_PHASES.includes(state.phase)) return;
      try {
        await sleep(pollIntervalMs, undefined, { signal: options.signal });
      } catch {
        return; // aborted
      }
    }
  }

  private milestoneStep(
    engagementId: string,
    update: UpdateDefinition<MilestoneView, [MilestoneRef]>,
    milestoneId: string,
    options: IdempotencyOptions | undefined,
  ): Promise<MilestoneView> {
    const ref = parseInput(milestoneRefSchema, { milestoneId }, 'milestone reference');
    return this.executeUpdate(engagementId, update, ref, milestoneViewSchema, options);
  }

  /**
   * Runs one update (named after its definition in errors) and checks its result against the public schema. The
   * update id carries the key and a digest of the request (`updateIdFor`): a repeat is answered by Temporal with
   * the first outcome, the same key with other arguments reaches the workflow, which refuses it.
   */
  private async executeUpdate<Arg, S extends z.ZodType>(
    engagementId: string,
    update: UpdateDefinition<z.output<S>, [Arg]>,
    arg: Arg,
    result: S,
    options: IdempotencyOptions | undefined,
  ): Promise<z.output<S>> {
    const key = idempotencyKeyOf(options);
    const digest = createHash('sha256')
      .update(`${update.name}\n${fingerprintOf(arg)}`)
      .digest('hex');
    const updateId = updateIdFor(key, digest);
    // The door rides beside the arguments, outside the digest: the same key through another door is a repeat.
    const withDoor = { ...arg, door: this.door } as Arg;
    const value = await this.onEngagement(engagementId, update.name, (h) =>
      deliverUpdate(() => h.executeUpdate(update, { args: [withDoor], updateId })),
    );
    return result.parse(value);
  }

  /** Runs one update or signal on the engagement and turns Temporal's failures into our errors. */
  private async onEngagement<T>(
    engagementId: string,
    operation: string,
    call: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<T>,
  ): Promise<T> {
    const id = parseInput(engagementIdSchema, engagementId, 'engagement id');
    const handle = this.client.workflow.getHandle(id);
    try {
      return await call(handle);
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        const cause = err.cause;
        const failure = cause instanceof ApplicationFailure ? cause : undefined;
        const [details] = failure?.details ?? [];
        throw new UpdateRejectedError(
          id,
          operation,
          cause?.message ?? err.message,
          failure?.type ?? undefined,
          isRecord(details) ? details : undefined,
        );
      }
      if (err instanceof WorkflowNotFoundError) {
        // The server says "not found" both for unknown ids and for finished workflows; tell them apart.
        const finished = await handle.describe().then(
          (d) => d.status.name,
          () => undefined,
        );
        if (finished)
          throw new UpdateRejectedError(
            id,
            operation,
            `the engagement is no longer running (${finished})`,
            'engagement_closed',
          );
        throw new EngagementNotFoundError(id);
      }
      throw err;
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
