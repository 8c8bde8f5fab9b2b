import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  patched,
  workflowInfo,
} from '@temporalio/workflow';
import type { EngagementMachine } from '../domain/engagement-machine';
import type { ContractSnapshot, PendingApprovalRecord } from '../domain/engagement-model';
import { toEngagementState, toMilestoneView } from '../domain/engagement-projection';
import type { EngagementState, MilestoneView } from '../domain/engagement-view';
import {
  replyTo,
  type IntentFailure,
  type IntentKind,
  type IntentRecord,
  type IntentReply,
} from '../domain/intents';
import { formatCents } from '../domain/money';
import type { ApprovalWaitHooks } from './approval-wait';
import { notifyActivities, openTrainActivities } from './engagement-activities';
import { createdButNotFunded, failureInfo, rethrowUnlessActivityFailure, type FailureInfo } from './failures';
import { EngagementThread } from './engagement-thread';
import { MoneyMoves } from './money-move';

/** Versioning: runs recorded before the contract was read once more after its end. */
const FINAL_CONTRACT_READ_PATCH = 'final-contract-read';

/** A run never hands over before it has made some progress, whatever the policy says. */
const MIN_EVENTS_BEFORE_CONTINUE_AS_NEW = 20;

/** The operation's name as its signal and update carry it, for history lines. */
const SIGNAL_NAMES: Record<IntentKind, string> = {
  add_milestone: 'addMilestone',
  fund: 'fundMilestone',
  release: 'releaseMilestone',
  end: 'endContract',
  retry: 'retry',
  confirm_not_fit: 'confirmNotFit',
  send_message: 'sendMessage',
};

/** What the first stable point of an intent tells its caller: done (value from the state) or refused. */
export type StableReply = { ok: true } | { ok: false; failure: IntentFailure };

/**
 * The engagement's behaviour on top of the pure state machine: activities, replies to callers, access
 * problems, the human's notifications and the hand-over to a new run. The hire phase lives in
 * `engagement-hire-step.ts`, money moves in `money-move.ts`, the callers' operations in
 * `engagement-operations.ts`.
 */
export class EngagementRuntime {
  readonly hooks: ApprovalWaitHooks;
  readonly moves = new MoneyMoves(this);
  readonly thread = new EngagementThread(this);
  /** Set once the main function decided to continue-as-new: handlers answer instead of waiting on it. */
  handingOver = false;
  /** Answers that are not final (OpenTrain in doubt, access lost): given to waiting callers, never stored. */
  private readonly provisionalReplies = new Map<string, IntentFailure>();
  private readonly waiters = new Map<string, (() => void)[]>();
  private endedContractRead?: Promise<void>;

  constructor(readonly machine: EngagementMachine) {
    this.hooks = {
      engagementId: machine.snapshot.engagementId,
      policy: machine.policy,
      signalled: (id) => machine.signalledStatus(id),
      consumeSignal: (id) => machine.consumeSignal(id),
      markAnnounced: (id) => machine.markAnnounced(id),
      markReminderSent: (id, offsets) => machine.markReminderSent(id, offsets),
      setPollInterval: (id, intervalMs) => machine.setPollInterval(id, intervalMs),
      describe: (pending) => this.describe(pending),
      track: (key, run) => this.track(key, run),
      shouldYield: (pending) => !machine.pendingApprovals().includes(pending),
      accessDenied: (failure) => this.waitForAccess(failure),
    };
  }

  now(): string {
    return new Date(Date.now()).toISOString();
  }

  state(): EngagementState {
    return toEngagementState(this.machine.snapshot);
  }

  milestoneView(milestoneId: string): MilestoneView {
    const record = this.machine.milestone(milestoneId);
    if (!record)
      throw ApplicationFailure.nonRetryable(`milestone ${milestoneId} is unknown`, 'unknown_milestone');
    return toMilestoneView(record);
  }

  /** Count an activity as in flight while it runs: continue-as-new waits until nothing is. */
  async track<T>(key: string, run: () => Promise<T>): Promise<T> {
    this.machine.beginOperation(key);
    try {
      return await run();
    } finally {
      this.machine.endOperation(key);
    }
  }

  // ------------------------------------------------------------------------------ replies to callers

  /** The intent reached its first stable point: its first answer is kept for every repeat of its key. */
  reply(intent: IntentRecord, stable: StableReply): void {
    this.provisionalReplies.delete(intent.key);
    if (!intent.reply) {
      const created = intent.kind === 'add_milestone' && intent.milestoneId;
      replyTo(
        intent,
        stable.ok
          ? { ok: true, value: this.replyValue(intent) }
          : {
              ok: false,
              failure: created
                ? createdButNotFunded(stable.failure, this.milestoneView(created))
                : stable.failure,
            },
      );
      // A signal's sender cannot be answered: the history says what became of it.
      const reply = intent.reply as IntentReply | undefined;
      if (intent.via === 'signal' && reply && !reply.ok)
        this.machine.record(
          this.now(),
          'signal_failed',
          `${SIGNAL_NAMES[intent.kind]}: ${reply.failure.message}`,
        );
    }
    this.wake(intent.key);
  }

  /** A waiting caller is answered now, but a repeat of the key waits for the real outcome. */
  provisional(intent: IntentRecord, failure: IntentFailure): void {
    if (intent.reply) return;
    this.provisionalReplies.set(intent.key, failure);
    this.wake(intent.key);
  }

  /**
   * Wait for the intent's answer; a hand-over or a provisional answer ends the wait without storing it. The
   * waiter is woken directly (not through a `condition`), so the update completes in the same step of the
   * workflow task that produced its answer.
   */
  async awaitReply(intent: IntentRecord): Promise<unknown> {
    if (!intent.reply && !this.provisionalReplies.has(intent.key) && !this.handingOver)
      await new Promise<void>((resolve) => {
        const waiting = this.waiters.get(intent.key) ?? [];
        this.waiters.set(intent.key, [...waiting, resolve]);
      });
    const reply = intent.reply;
    if (reply?.ok) return reply.value;
    const failure = reply?.failure ??
      this.provisionalReplies.get(intent.key) ?? {
        type: 'intent_in_progress',
        message: `still in progress; repeat with idempotency key ${intent.key} for its outcome`,
      };
    throw ApplicationFailure.create({
      type: failure.type,
      message: failure.message,
      nonRetryable: true,
      details: [{ ...failure.details, intentKey: intent.key }],
    });
  }

  private wake(key: string): void {
    const waiting = this.waiters.get(key);
    this.waiters.delete(key);
    for (const resolve of waiting ?? []) resolve();
  }

  /** What a successful intent answers: the message it sent, the milestone it moved, or the engagement's state. */
  private replyValue(intent: IntentRecord): unknown {
    if (intent.kind === 'send_message') return this.thread.view(intent.send?.messageId);
    const moved = intent.milestoneId ? this.machine.milestone(intent.milestoneId) : undefined;
    if ((intent.kind === 'add_milestone' || intent.kind === 'fund' || intent.kind === 'release') && moved)
      return toMilestoneView(moved);
    return this.state();
  }

  // ------------------------------------------------------------------------------ continue-as-new

  shouldContinueAsNew(): boolean {
    const info = workflowInfo();
    const threshold = Math.max(
      this.machine.policy.continueAsNewAfterEvents,
      MIN_EVENTS_BEFORE_CONTINUE_AS_NEW,
    );
    return info.continueAsNewSuggested || info.historyLength >= threshold;
  }

  /** Ready to hand the whole state to a new run: no handler running, no activity in flight. */
  async quiesce(): Promise<void> {
    // Let requests under way finish first, so their callers get real answers rather than "in progress".
    await condition(() => !this.machine.hasOperationsInFlight());
    this.handingOver = true;
    for (const key of [...this.waiters.keys()]) this.wake(key);
    await condition(() => allHandlersFinished() && !this.machine.hasOperationsInFlight());
  }

  // ------------------------------------------------------------------------------ contract reads

  /** Read the contract again (an event said it changed, or the periodic re-read is due). */
  async refreshContract(): Promise<void> {
    const contractId = this.machine.contractId;
    if (!contractId) return;
    this.machine.markContractFresh();
    const held = this.machine.milestoneIds();
    await this.readContract(
      contractId,
      (contract) => this.machine.syncContract(this.now(), contract, held),
      (reason) => this.machine.record(this.now(), 'contract_read_failed', reason),
    );
  }

  /** Read the contract and apply it; a read that still failed after its retries is handed to `failed`. */
  async readContract(
    contractId: string,
    apply: (contract: ContractSnapshot) => void,
    failed: (reason: string, info: FailureInfo) => Promise<void> | void,
  ): Promise<void> {
    let contract: ContractSnapshot;
    try {
      contract = await this.track('read:contract', () => openTrainActivities.fetchContract({ contractId }));
    } catch (err) {
      rethrowUnlessActivityFailure(err);
      const info = failureInfo(err);
      return failed(info.message, info);
    }
    apply(contract);
  }

  /**
   * Once the contract has ended, read it one last time and reconcile: OpenTrain refunded the unspent escrow and
   * dropped those milestones from the timeline. Runs once, for whoever asks first.
   */
  settleEndedContract(): Promise<void> {
    this.endedContractRead ??= this.readEndedContract();
    return this.endedContractRead;
  }

  private async readEndedContract(): Promise<void> {
    const m = this.machine;
    const contractId = m.contractId;
    if (m.phase !== 'ended' || !contractId || !patched(FINAL_CONTRACT_READ_PATCH)) return;
    await this.readContract(
      contractId,
      (contract) => m.reconcileEnded(this.now(), contract),
      (reason) => m.record(this.now(), 'contract_read_failed', `after the end: ${reason}`),
    );
  }

  // ------------------------------------------------------------------------------ access and the human

  /**
   * 401/403/404: the token cannot see or do it. The engagement shows an `opentrain_access` blocker naming the
   * endpoint and the reason, tells the human once, keeps its state, and resumes on `recheckPreconditions`.
   */
  async waitForAccess(info: FailureInfo): Promise<void> {
    const m = this.machine;
    const added = m.addAccessBlocker(this.now(), {
      kind: 'opentrain_access',
      message: `OpenTrain refused ${info.endpoint ?? 'a request'}: ${info.message}. Fix the token's access (scopes, revoked token), then send recheckPreconditions.`,
    });
    if (added)
      await this.tell({
        kind: 'blocked',
        message: `Engagement needs attention: ${m.snapshot.blockers[0]?.message}`,
      });
    await condition(() => m.recheckRequested || this.handingOver);
    if (m.recheckRequested && m.phase !== 'blocked') m.clearRecheck();
    m.clearAccessBlocker(this.now());
  }

  describe(pending: PendingApprovalRecord): string {
    const m = pending.milestoneId ? this.machine.milestone(pending.milestoneId) : undefined;
    const amount = m ? ` (${formatCents(m.amountCents)})` : '';
    switch (pending.action) {
      case 'hire':
        return `hire for proposal ${this.machine.snapshot.proposalId} (${formatCents(this.machine.firstMilestone.amountCents)} + fees)`;
      case 'fund':
        return `funding of milestone ${pending.milestoneId}${amount}`;
      case 'release':
        return `payout release of milestone ${pending.milestoneId}${amount}`;
      case 'end':
        return `ending contract ${this.machine.contractId}`;
    }
  }

  async tell(note: { kind: string; message: string; approvalUrl?: string }): Promise<void> {
    try {
      await this.track('notify', () =>
        notifyActivities.notifyHuman({ engagementId: this.machine.snapshot.engagementId, ...note }),
      );
    } catch (err) {
      rethrowUnlessActivityFailure(err);
      log.warn('could not notify the human', { error: err.message });
    }
  }
}
