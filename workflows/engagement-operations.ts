import { condition, isCancellation, sleep } from '@temporalio/workflow';
import { Mutex } from 'async-mutex';
import type { ApprovalAction } from '../domain/engagement-model';
import type { AddMilestoneInput, MilestoneRef, RetryInput } from '../domain/inputs';
import type { SendMessageInput } from '../domain/thread';
import { settleIntent, type IntentKind, type IntentRecord } from '../domain/intents';
import { usdToCents } from '../domain/money';
import {
  classifyRequestFailure,
  doubtBackoffMs,
  IMMEDIATE_DOUBT_ROUNDS,
  type MoneyMove,
} from '../domain/money-move';
import { openTrainActivities } from './engagement-activities';
import type { EngagementRuntime } from './engagement-runtime';
import { failureInfo, rethrowUnlessActivityFailure } from './failures';
import { resumeSend, sendMessageOperation } from './thread-send';

/**
 * The callers' operations, each carried out for its intent. `guard` holds the synchronous rules (run by the
 * update validator and again by the handler); `begin` starts the work, which answers through the intent at its
 * first stable point and runs on to its end in the background.
 */
export interface Operation<A> {
  kind: IntentKind;
  guard(input: A): void;
  begin(input: A, intent: IntentRecord): void;
}

export interface EngagementOperations {
  addMilestone: Operation<AddMilestoneInput>;
  fund: Operation<MilestoneRef>;
  release: Operation<MilestoneRef>;
  end: Operation<Record<string, never>>;
  retry: Operation<RetryInput>;
  confirmNotFit: Operation<Record<string, never>>;
  sendMessage: Operation<SendMessageInput>;
  /** After continue-as-new: carry on with an open intent from where the state says it is. */
  resume(intent: IntentRecord): void;
}

export function engagementOperations(rt: EngagementRuntime): EngagementOperations {
  const m = rt.machine;
  // Creations are serialised: an in-doubt one adopts "the milestone we do not know yet", which must be its own.
  const createLock = new Mutex();

  function startMove(intent: IntentRecord, move: MoneyMove, attempt = 1): void {
    intent.move = move;
    intent.milestoneId = move.milestoneId;
    if (move.action === 'fund' && move.milestoneId) m.reserveFunding(move.milestoneId);
    rt.moves.start(intent, move, attempt);
  }

  /** Create the milestone: a direct write, not idempotent on OpenTrain, so doubt is settled by adoption. */
  async function create(input: AddMilestoneInput, intent: IntentRecord): Promise<void> {
    let rounds = 0;
    try {
      while (intent.status === 'open' && !intent.milestoneId) {
        const step = await createLock.runExclusive(() => createOnce(input, intent));
        if (step === 'done') break;
        rounds += 1;
        if (step === 'access') continue;
        if (rounds > IMMEDIATE_DOUBT_ROUNDS) {
          rt.provisional(intent, {
            type: 'opentrain_in_doubt',
            message: 'the milestone creation is in doubt; the engagement keeps reconciling it',
          });
          await sleep(doubtBackoffMs(rounds - IMMEDIATE_DOUBT_ROUNDS));
        }
      }
      if (intent.status === 'open' && intent.milestoneId && !intent.move) {
        if (input.fund) startMove(intent, { action: 'fund', milestoneId: intent.milestoneId });
        else {
          rt.reply(intent, { ok: true });
          settleIntent(intent, 'created', rt.now());
        }
      }
    } catch (err) {
      if (!isCancellation(err)) throw err;
    }
  }

  async function createOnce(
    input: AddMilestoneInput,
    intent: IntentRecord,
  ): Promise<'done' | 'again' | 'access'> {
    const contractId = m.contractId as string;
    try {
      const milestone = await rt.track('create', () =>
        openTrainActivities.createMilestone({
          contractId,
          description: input.description,
          name: input.name,
          amountCents: usdToCents(input.amountUsd),
          dueDate: input.dueDate,
          knownMilestoneIds: m.milestoneIds(),
          reconcile: m.createUncertain,
        }),
      );
      m.setCreateUncertain(false);
      intent.milestoneId = m.milestoneCreated(rt.now(), milestone).id;
      return 'done';
    } catch (err) {
      rethrowUnlessActivityFailure(err);
      const info = failureInfo(err);
      m.record(rt.now(), 'request_failed', `create: ${info.message}`);
      const verdict = classifyRequestFailure(info);
      if (verdict === 'access') {
        await rt.waitForAccess(info);
        return 'access';
      }
      if (verdict === 'in_doubt' && info.status !== 409) {
        // It may have committed: the next attempt reads the contract and adopts it instead of creating twice.
        m.setCreateUncertain(true);
        return 'again';
      }
      if (info.type === 'contract_ended') m.markContractStale();
      rt.reply(intent, {
        ok: false,
        failure: { type: info.type ?? 'opentrain_refused', message: info.message, details: info.apiDetails },
      });
      settleIntent(intent, 'refused', rt.now());
      return 'done';
    }
  }

  /** Hire-side intents are acted on by the main loop: answer once it has, or when the run hands over. */
  async function answerWhenActedOn(intent: IntentRecord, actedOn: () => boolean): Promise<void> {
    try {
      await condition(() => actedOn() || rt.handingOver);
      if (!actedOn()) return; // the next run resumes the wait from the carried intent
      rt.reply(intent, { ok: true });
      settleIntent(intent, 'done', rt.now());
    } catch (err) {
      if (!isCancellation(err)) throw err;
    }
  }

  const hireActedOn = () =>
    m.isTerminal() ||
    (m.phase !== 'checking_preconditions' && !m.isBlockedOn('not_fit_confirmation_required'));

  return {
    addMilestone: {
      kind: 'add_milestone',
      guard: (input) => m.checkAddMilestone(usdToCents(input.amountUsd), input.fund ?? false),
      begin: (input, intent) => void create(input, intent),
    },
    fund: {
      kind: 'fund',
      guard: (input) => m.checkFund(input.milestoneId),
      begin: (input, intent) => startMove(intent, { action: 'fund', milestoneId: input.milestoneId }),
    },
    release: {
      kind: 'release',
      guard: (input) => m.checkRelease(input.milestoneId),
      begin: (input, intent) => startMove(intent, { action: 'release', milestoneId: input.milestoneId }),
    },
    end: {
      kind: 'end',
      guard: () => m.checkEnd(),
      begin: (_input, intent) => startMove(intent, { action: 'end' }),
    },
    retry: {
      kind: 'retry',
      guard: (input) => void m.checkRetry(input),
      begin: (input, intent) => {
        const item = m.checkRetry(input);
        m.unpark(rt.now(), item);
        if (item.action === 'hire') void answerWhenActedOn(intent, hireActedOn);
        else
          startMove(intent, {
            action: item.action as Exclude<ApprovalAction, 'hire'>,
            milestoneId: item.milestoneId,
          });
      },
    },
    confirmNotFit: {
      kind: 'confirm_not_fit',
      guard: () => m.checkConfirmNotFit(),
      begin: (_input, intent) => {
        m.confirmNotFitOverride(rt.now());
        void answerWhenActedOn(intent, hireActedOn);
      },
    },
    sendMessage: sendMessageOperation(rt),
    resume: (intent) => {
      if (intent.kind === 'send_message') resumeSend(rt, intent);
      else if (intent.move) {
        const pending = m.pendingApprovals().find((p) => p.intentKey === intent.key);
        rt.moves.start(intent, intent.move, pending?.attempt ?? 1);
      } else if (intent.kind === 'add_milestone') {
        void create(JSON.parse(intent.fingerprint) as AddMilestoneInput, intent);
      } else {
        void answerWhenActedOn(intent, hireActedOn);
      }
    },
  };
}
