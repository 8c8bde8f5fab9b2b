import { isCancellation, sleep } from '@temporalio/workflow';
import { Mutex } from 'async-mutex';
import type { PendingApprovalRecord } from '../domain/engagement-model';
import { settleIntent, type IntentFailure, type IntentRecord } from '../domain/intents';
import {
  classifyRequestFailure,
  decideAfterRead,
  doubtBackoffMs,
  IMMEDIATE_DOUBT_ROUNDS,
  type MoneyMove,
} from '../domain/money-move';
import { awaitApproval } from './approval-wait';
import { openTrainActivities } from './engagement-activities';
import type { EngagementRuntime } from './engagement-runtime';
import { failureInfo, rethrowUnlessActivityFailure, type FailureInfo } from './failures';

type RequestStep =
  | { kind: 'requested' }
  | { kind: 'settled' }
  | { kind: 'again'; info: FailureInfo }
  | { kind: 'unresolved'; info: FailureInfo }
  | { kind: 'access'; info: FailureInfo };

/**
 * The one routine that carries a money move (fund, release, end) to its end for the intent that asked for it:
 * request → wait for the co-sign → request again after an expiry, or park → settle. An in-doubt answer is
 * settled by reading OpenTrain's state (domain/money-move.ts decides), never by a blind retry or a give-up.
 * It runs in the background of the handler that opened the intent (the handler waits only for its first stable
 * point) and is resumed from the state after continue-as-new. Requests on one milestone (or on the contract)
 * are serialised by a real mutex, and each checks again under the lock that it is still needed.
 */
export class MoneyMoves {
  private readonly locks = new Map<string, Mutex>();

  constructor(private readonly rt: EngagementRuntime) {}

  /** Start (or resume) the routine; it runs on after this returns. */
  start(intent: IntentRecord, move: MoneyMove, attempt = 1): void {
    void this.run(intent, move, attempt);
  }

  private lock(move: MoneyMove): Mutex {
    const key = move.milestoneId ?? 'contract';
    let mutex = this.locks.get(key);
    if (!mutex) this.locks.set(key, (mutex = new Mutex()));
    return mutex;
  }

  private async run(intent: IntentRecord, move: MoneyMove, firstAttempt: number): Promise<void> {
    const m = this.rt.machine;
    let attempt = firstAttempt;
    let doubtRounds = 0;
    try {
      while (intent.status === 'open') {
        const pending = this.pendingOf(intent, move);
        if (pending) {
          pending.intentKey ??= intent.key; // adopt the live approval OpenTrain holds for this move
          this.rt.reply(intent, { ok: true });
          const next = await this.follow(intent, move, pending);
          if (next === 'again') attempt = pending.attempt + 1;
          continue;
        }
        if (m.isTerminal() && move.action !== 'end') {
          this.settle(intent, move, 'contract_ended', contractEnded());
          return;
        }
        const step = await this.lock(move).runExclusive(() => this.request(intent, move, attempt));
        if (step.kind === 'again' || step.kind === 'unresolved') {
          doubtRounds += 1;
          if (doubtRounds > IMMEDIATE_DOUBT_ROUNDS) {
            this.rt.provisional(intent, inDoubt(step.info));
            await sleep(doubtBackoffMs(doubtRounds - IMMEDIATE_DOUBT_ROUNDS));
          }
        } else if (step.kind === 'access') {
          this.rt.provisional(intent, { type: 'opentrain_access', message: step.info.message });
          await this.rt.waitForAccess(step.info);
        }
      }
    } catch (err) {
      // A cancelled engagement sends no new requests; its final state lists what is still open.
      if (isCancellation(err)) return;
      throw err;
    }
  }

  private pendingOf(intent: IntentRecord, move: MoneyMove): PendingApprovalRecord | undefined {
    const m = this.rt.machine;
    return (
      m.pendingApprovals().find((p) => p.intentKey === intent.key) ??
      m.pendingFor(move.action, move.milestoneId)
    );
  }

  /** Wait for the human; 'again' when an expired approval is to be requested once more. */
  private async follow(
    intent: IntentRecord,
    move: MoneyMove,
    pending: PendingApprovalRecord,
  ): Promise<'again' | 'closed'> {
    const m = this.rt.machine;
    const outcome = await awaitApproval(pending, this.rt.hooks);
    if (outcome.kind === 'yielded') {
      // Closed by someone else: the contract ended and its approvals can no longer execute.
      if (intent.status === 'open' && !m.pendingApprovals().includes(pending)) {
        const moved = move.milestoneId ? m.milestone(move.milestoneId) : undefined;
        const done =
          moved &&
          ((move.action === 'fund' && moved.fundedAt) || (move.action === 'release' && moved.releasedAt));
        if (done) this.settle(intent, move, 'confirmed');
        else this.settle(intent, move, 'contract_ended', contractEnded());
      }
      return 'closed';
    }
    const { approval } = outcome;
    const closed = m.approvalClosed(this.rt.now(), approval) ?? pending;
    if (approval.status === 'confirmed') {
      settleIntent(intent, 'confirmed', this.rt.now());
      return 'closed';
    }
    const park = (reason: 'expired' | 'declined') => {
      m.park(this.rt.now(), {
        action: move.action,
        milestoneId: move.milestoneId,
        approvalId: approval.id,
        reason,
      });
      this.settle(intent, move, reason);
    };
    if (approval.status === 'declined') {
      park('declined');
      return 'closed';
    }
    // Expired (or any other terminal status, [GAP] handled alike): ask again while the policy allows.
    if (closed.attempt <= m.policy.maxReRequestsAfterExpiry) return 'again';
    park('expired');
    await this.rt.tell({
      kind: 'parked',
      message: `The ${this.rt.describe(closed)} expired ${closed.attempt} times; send retry to ask again.`,
    });
    return 'closed';
  }

  /** One request under the milestone's (or the contract's) lock; an in-doubt failure is reconciled here. */
  private async request(intent: IntentRecord, move: MoneyMove, attempt: number): Promise<RequestStep> {
    const m = this.rt.machine;
    if (intent.status !== 'open') return { kind: 'settled' };
    if (this.pendingOf(intent, move)) return { kind: 'requested' };
    const contractId = m.contractId as string;
    const key = move.action === 'end' ? 'end' : `${move.action}:${move.milestoneId}`;
    try {
      if (move.action === 'fund') {
        const milestoneId = move.milestoneId as string;
        m.reserveFunding(milestoneId);
        const result = await this.rt.track(key, () =>
          openTrainActivities.requestFunding({ contractId, milestoneId }),
        );
        if (result.kind === 'requested')
          m.approvalRequested(this.rt.now(), 'fund', result.approval, attempt, milestoneId, intent.key);
        else {
          m.milestoneObserved(this.rt.now(), result.milestone, 'it was already funded');
          this.settle(intent, move, 'already_done');
        }
      } else if (move.action === 'release') {
        const milestoneId = move.milestoneId as string;
        const approval = await this.rt.track(key, () => openTrainActivities.requestRelease({ milestoneId }));
        m.approvalRequested(this.rt.now(), 'release', approval, attempt, milestoneId, intent.key);
      } else {
        const result = await this.rt.track(key, () => openTrainActivities.requestContractEnd({ contractId }));
        if (result.kind === 'approval')
          m.approvalRequested(this.rt.now(), 'end', result.approval, attempt, undefined, intent.key);
        else {
          m.ended(this.rt.now(), 'ended directly: no funded milestone');
          // The caller's answer is the contract as OpenTrain shows it after the end.
          await this.rt.settleEndedContract();
          this.settle(intent, move, 'confirmed');
        }
      }
      return { kind: intent.status === 'open' ? 'requested' : 'settled' };
    } catch (err) {
      rethrowUnlessActivityFailure(err);
      const info = failureInfo(err);
      m.record(this.rt.now(), 'request_failed', `${key}: ${info.message}`);
      const verdict = classifyRequestFailure(info);
      if (verdict === 'access') return { kind: 'access', info };
      if (verdict === 'refused') {
        this.settle(intent, move, 'refused', refusal(info));
        return { kind: 'settled' };
      }
      return this.reconcile(intent, move, info);
    }
  }

  /** The answer was in doubt: read the contract and decide from what OpenTrain shows. */
  private async reconcile(intent: IntentRecord, move: MoneyMove, info: FailureInfo): Promise<RequestStep> {
    const m = this.rt.machine;
    const contractId = m.contractId as string;
    let contract;
    try {
      contract = await this.rt.track('read:contract', () =>
        openTrainActivities.fetchContract({ contractId }),
      );
    } catch (err) {
      rethrowUnlessActivityFailure(err);
      // The reservation and the intent stay: nothing proves that no approval is live.
      return { kind: 'unresolved', info };
    }
    const milestone = contract.milestones.find((x) => x.id === move.milestoneId);
    const decision = decideAfterRead(move, info, {
      contractStatus: contract.status,
      milestoneStatus: milestone?.status,
    });
    const now = this.rt.now();
    m.record(
      now,
      'reconciled',
      `${move.action} ${move.milestoneId ?? contractId} after "${info.message}": ${decision.kind}`,
    );
    switch (decision.kind) {
      case 'request_again':
        return { kind: 'again', info };
      case 'done':
        if (milestone) m.milestoneObserved(now, milestone, `the ${move.action} had already happened`);
        if (move.action === 'end') m.syncContract(now, contract);
        this.settle(intent, move, 'already_done');
        break;
      case 'refused':
        this.settle(intent, move, 'refused', refusal(info));
        break;
      case 'withdrawn':
        m.syncContract(now, contract, m.milestoneIds());
        this.settle(intent, move, 'withdrawn', {
          type: 'milestone_withdrawn',
          message: `milestone ${move.milestoneId} was cancelled or refunded on OpenTrain`,
        });
        break;
      case 'contract_ended':
        m.syncContract(now, contract);
        this.settle(intent, move, 'contract_ended', contractEnded());
        break;
    }
    return { kind: 'settled' };
  }

  /** Settle the intent: a funding that did not happen frees its budget reservation; the caller gets an answer. */
  private settle(intent: IntentRecord, move: MoneyMove, outcome: string, failure?: IntentFailure): void {
    const m = this.rt.machine;
    if (move.action === 'fund' && outcome !== 'confirmed' && outcome !== 'already_done')
      m.dropReservation(move.milestoneId);
    settleIntent(intent, outcome, this.rt.now());
    m.record(this.rt.now(), 'intent_settled', `${intent.kind} ${intent.key}: ${outcome}`);
    this.rt.reply(intent, failure ? { ok: false, failure } : { ok: true });
  }
}

function refusal(info: FailureInfo): IntentFailure {
  return { type: info.type ?? 'opentrain_refused', message: info.message, details: info.apiDetails };
}

function inDoubt(info: FailureInfo): IntentFailure {
  return {
    type: 'opentrain_in_doubt',
    message: `OpenTrain's answer is in doubt (${info.message}); the engagement keeps reconciling it`,
  };
}

function contractEnded(): IntentFailure {
  return { type: 'contract_ended', message: 'the contract has ended' };
}
