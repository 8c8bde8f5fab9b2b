import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { EngagementClient } from '../../../client/engagement-client';
import { InputValidationError, UpdateRejectedError } from '../../../client/errors';
import type { EngagementState, MilestoneView } from '../../../domain/engagement-view';
import type { ChaosConfig } from './config';
import type { BackoffBoard } from './human';
import { pause, randomBetween } from './processes';

/** Progress marks of one lifecycle: start, hired, 2 adds, funded, 3 releases, paid, end, ended. */
export const STEPS_PER_LIFECYCLE = 11;
/** Any single call is bounded in count too, not only by the scenario's deadline. */
const MAX_ATTEMPTS_PER_CALL = 200;
/** Refusals that say "wait until the other intent settles" are waited out this many times at most. */
const MAX_WAITS_PER_CALL = 40;
const MAX_STATE_READS_PER_WAIT = 2_000;
const STATE_READ_TIMEOUT_MS = 5_000;

/** One milestone asked of OpenTrain, and the id the engagement answered with (once it did). */
export interface Ask {
  description: string;
  milestoneId?: string;
}

/** What one agent did and saw, for the verdict and for the dump of an unfinished engagement. */
export interface AgentRecord {
  index: number;
  proposalId: string;
  engagementId: string;
  step: string;
  stepSinceMs: number;
  done: boolean;
  /** Why the lifecycle stopped: a typed refusal, a failed engagement, or the deadline. */
  failure?: string;
  /**
   * Every milestone anyone asked OpenTrain for: the hire's, then the agent's adds (recorded when sent, so an add
   * whose answer was lost still counts as one ask), with the id the engagement answered, once it did.
   */
  asked: Ask[];
  lastState?: EngagementState;
  lastStateAtMs?: number;
  /** Progress marks reached, of STEPS_PER_LIFECYCLE. */
  marks: number;
  calls: number;
  failedCalls: number;
  /** already_in_progress / approvals_in_flight refusals waited out (the same key sent again later). */
  refusalsWaitedOut: number;
  lastError?: string;
  log: string[];
}

export interface AgentDeps {
  temporal: Client;
  engagements: EngagementClient;
  board: BackoffBoard;
  config: ChaosConfig;
  startedAtMs: number;
  /** Aborts at the scenario's deadline. */
  signal: AbortSignal;
  onProgress: () => void;
}

/** A typed outcome that ends the lifecycle: retrying the same key would only repeat it. */
class LifecycleStopped extends Error {}

function describe(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function isRefusal(err: unknown): err is UpdateRejectedError | InputValidationError {
  return err instanceof UpdateRejectedError || err instanceof InputValidationError;
}

function isMilestoneView(value: unknown): value is MilestoneView {
  return typeof value === 'object' && value !== null && typeof (value as MilestoneView).id === 'string';
}

/**
 * The AI agent of one engagement, as a careful caller writes it: every mutation carries one idempotency key and
 * is repeated with that same key after any failure (Temporal down, a worker killed mid-update, a timeout) until
 * it succeeds or the engagement answers with a typed refusal; states are awaited by polling `getState`, whose
 * failures are only waited out.
 */
export class ChaosAgent {
  readonly record: AgentRecord;
  private readonly pollMs: number;

  constructor(
    private readonly deps: AgentDeps,
    index: number,
    proposalId: string,
  ) {
    this.record = {
      index,
      proposalId,
      engagementId: `engagement-${proposalId}`,
      step: 'not started',
      stepSinceMs: Date.now(),
      done: false,
      asked: [],
      marks: 0,
      calls: 0,
      failedCalls: 0,
      refusalsWaitedOut: 0,
      log: [],
    };
    // Every agent polls; with many engagements the workers would otherwise spend the run answering queries.
    this.pollMs = Math.min(3_000, Math.max(1_000, deps.config.engagements * 60));
    deps.board.register(this.record.engagementId, { proposalId });
  }

  async run(): Promise<void> {
    try {
      await this.lifecycle();
      this.record.done = true;
      this.note('lifecycle complete');
    } catch (err) {
      this.record.failure = `${this.record.step}: ${describe(err)}`;
      this.note(`stopped: ${this.record.failure}`);
    }
  }

  private async lifecycle(): Promise<void> {
    const { firstUsd, addedUsd, budgetUsd } = this.deps.config.amounts;
    const { engagements } = this.deps;
    const id = this.record.engagementId;
    const n = this.record.index;
    const pilot: Ask = { description: `Pilot batch of engagement ${n}` };
    this.record.asked.push(pilot);
    await this.call('start', (o) =>
      engagements.start(
        {
          proposalId: this.record.proposalId,
          firstMilestone: { name: `Pilot ${n}`, description: pilot.description, amountUsd: firstUsd },
          budgetUsd,
        },
        o,
      ),
    );
    this.progress('started');
    const hired = await this.waitFor('the hire (contract active, first milestone funded)', (s) =>
      s.phase === 'active' ? s.milestones.find((m) => m.status === 'ACTIVE_FUNDED') : undefined,
    );
    pilot.milestoneId = hired.id;

    const ours = [hired.id];
    for (const [i, amountUsd] of addedUsd.entries()) {
      const ask: Ask = { description: `Batch ${i + 2} of engagement ${n}` };
      this.record.asked.push(ask);
      ask.milestoneId = await this.addFunded(ask.description, amountUsd);
      ours.push(ask.milestoneId);
      this.progress(`added ${ask.milestoneId} with fund`);
    }
    // Settled = the status, and no approval still open on the milestone: a contract re-read can show a
    // milestone ACTIVE_FUNDED before the engagement has closed its funding request.
    const everyMilestone = (status: string) => (s: EngagementState) =>
      ours.every(
        (mid) =>
          s.milestones.find((m) => m.id === mid)?.status === status &&
          !s.pendingApprovals.some((p) => p.milestoneId === mid),
      ) || undefined;
    await this.waitFor(
      'all three milestones ACTIVE_FUNDED, no approval open',
      everyMilestone('ACTIVE_FUNDED'),
    );

    for (const milestoneId of ours) {
      await this.call(`release ${milestoneId}`, (o) => engagements.releaseMilestone(id, milestoneId, o));
      this.progress(`release of ${milestoneId} requested`);
    }
    await this.waitFor('all three milestones PAID', everyMilestone('PAID'));

    await this.call('end', (o) => engagements.end(id, o));
    this.progress('end requested');
    await this.waitFor('phase ended', (s) => s.phase === 'ended' || undefined);
  }

  /**
   * addMilestone with fund. A refusal that says the milestone was created but its funding was not requested
   * carries the milestone: the agent then funds it as a new intent, as the client guide tells callers to.
   */
  private async addFunded(description: string, amountUsd: number): Promise<string> {
    const id = this.record.engagementId;
    try {
      const view = await this.call(`add "${description}"`, (o) =>
        this.deps.engagements.addMilestone(id, { description, amountUsd, fund: true }, o),
      );
      return view.id;
    } catch (err) {
      const created = err instanceof UpdateRejectedError ? err.details?.createdMilestone : undefined;
      if (!isMilestoneView(created)) throw err;
      this.note(
        `${created.id} created but not funded (${(err as UpdateRejectedError).failureType}); funding it`,
      );
      await this.call(`fund ${created.id}`, (o) => this.deps.engagements.fundMilestone(id, created.id, o));
      return created.id;
    }
  }

  /** One intent: one key, repeated after every failure until an answer or a typed refusal. */
  private async call<T>(what: string, run: (options: { idempotencyKey: string }) => Promise<T>): Promise<T> {
    this.setStep(what);
    const idempotencyKey = randomUUID();
    const { temporal, board, config, signal } = this.deps;
    let waits = 0;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS_PER_CALL; attempt += 1) {
      if (signal.aborted) throw new LifecycleStopped(`deadline passed after ${attempt - 1} attempts`);
      this.record.calls += 1;
      try {
        const result = await temporal.withDeadline(Date.now() + config.callTimeoutMs, () =>
          run({ idempotencyKey }),
        );
        if (attempt > 1) this.note(`${what} answered on attempt ${attempt} (key ${idempotencyKey})`);
        return result;
      } catch (err) {
        if (isRefusal(err)) {
          const type = err instanceof UpdateRejectedError ? (err.failureType ?? 'untyped') : err.name;
          if (!this.waitsOutRefusal(err, idempotencyKey) || waits >= MAX_WAITS_PER_CALL)
            throw new LifecycleStopped(`refused (${type}) on attempt ${attempt}: ${err.message}`);
          // A rejected update leaves no trace, so the same key is sent again once the other intent settled.
          waits += 1;
          this.record.refusalsWaitedOut += 1;
          this.note(`${what}: ${type} (${err.message}); waiting for it to settle`);
          await pause(randomBetween(2_000, 4_000), signal);
          continue;
        }
        this.record.failedCalls += 1;
        this.record.lastError = `${what} attempt ${attempt}: ${describe(err)}`;
        const backoffMs = Math.min(4_000, 200 * 2 ** Math.min(attempt, 5)) * randomBetween(0.5, 1.5);
        board.enter(this.record.engagementId);
        try {
          await pause(backoffMs, signal);
        } finally {
          board.leave(this.record.engagementId);
        }
      }
    }
    throw new LifecycleStopped(`${what} still failing after ${MAX_ATTEMPTS_PER_CALL} attempts`);
  }

  /**
   * The two refusals the intents contract tells callers to wait out: another intent is moving this milestone
   * (`already_in_progress` naming another key) or fund/release requests are still open (`approvals_in_flight`).
   * `already_in_progress` naming our own key is the engagement failing to recognise the repeat: a failure.
   */
  private waitsOutRefusal(err: unknown, ownKey: string): boolean {
    if (!(err instanceof UpdateRejectedError)) return false;
    if (err.failureType === 'approvals_in_flight') return true;
    return err.failureType === 'already_in_progress' && err.details?.intentKey !== ownKey;
  }

  /** Poll `getState` until `pick` finds something; Temporal being down or slow is only waited out. */
  private async waitFor<T>(what: string, pick: (state: EngagementState) => T | undefined): Promise<T> {
    this.setStep(`waiting for ${what}`);
    const { temporal, engagements, board, signal } = this.deps;
    for (let read = 1; read <= MAX_STATE_READS_PER_WAIT; read += 1) {
      if (signal.aborted) throw new LifecycleStopped('deadline passed');
      try {
        const state = await temporal.withDeadline(Date.now() + STATE_READ_TIMEOUT_MS, () =>
          engagements.getState(this.record.engagementId),
        );
        this.record.lastState = state;
        this.record.lastStateAtMs = Date.now();
        if (state.contractId) board.register(this.record.engagementId, { contractId: state.contractId });
        const found = pick(state);
        if (found !== undefined) {
          this.progress(`saw ${what}`);
          return found;
        }
        if (state.phase === 'failed') throw new LifecycleStopped(`engagement failed: ${state.failureReason}`);
      } catch (err) {
        if (err instanceof LifecycleStopped) throw err;
        this.record.lastError = `getState: ${describe(err)}`;
      }
      await pause(this.pollMs * randomBetween(0.75, 1.25), signal);
    }
    throw new LifecycleStopped(`${what} not seen in ${MAX_STATE_READS_PER_WAIT} reads`);
  }

  private setStep(step: string): void {
    this.record.step = step;
    this.record.stepSinceMs = Date.now();
  }

  private progress(line: string): void {
    this.note(line);
    this.record.marks += 1;
    this.deps.onProgress();
  }

  private note(line: string): void {
    const at = ((Date.now() - this.deps.startedAtMs) / 1000).toFixed(1);
    this.record.log.push(`+${at}s ${line}`);
    if (this.record.log.length > 60) this.record.log.shift();
  }
}
