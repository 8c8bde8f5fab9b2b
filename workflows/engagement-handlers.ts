import {
  condition,
  currentUpdateInfo,
  isCancellation,
  log,
  patched,
  setHandler,
  uuid4,
} from '@temporalio/workflow';
import type { z } from 'zod';
import { EngagementRuleError, WAIT_AND_REPEAT_CODES } from '../domain/engagement-errors';
import { eventNeedsContractRead } from '../domain/engagement-events';
import { hireAnswerPending } from '../domain/engagement-hire';
import {
  addMilestoneInputSchema,
  approvalResolvedSchema,
  confirmNotFitInputSchema,
  endContractInputSchema,
  messageReceivedNoticeSchema,
  milestoneRefSchema,
  openTrainEventNoticeSchema,
  recheckPreconditionsInputSchema,
  retryInputSchema,
} from '../domain/inputs';
import {
  doorOf,
  fingerprintOf,
  idempotencyKeySchema,
  intentKeyOfUpdateId,
  lookupIntent,
  mismatchFailure,
  openIntent,
  pruneIntents,
  settleIntent,
  type IntentKind,
  type IntentLookup,
  type IntentRecord,
} from '../domain/intents';
import { sendMessageInputSchema } from '../domain/thread';
import { parseInput } from '../domain/validation';
import { engagementOperations, type Operation } from './engagement-operations';
import type { EngagementRuntime } from './engagement-runtime';
import { toUpdateFailure, validating } from './failures';
import {
  addMilestoneSignal,
  addMilestoneUpdate,
  approvalResolvedSignal,
  confirmNotFitSignal,
  confirmNotFitUpdate,
  endContractSignal,
  endContractUpdate,
  fundMilestoneSignal,
  fundMilestoneUpdate,
  messageReceivedSignal,
  openTrainEventSignal,
  recheckPreconditionsSignal,
  releaseMilestoneSignal,
  releaseMilestoneUpdate,
  retrySignal,
  retryUpdate,
  sendMessageUpdate,
  stateQuery,
} from './messages';

/** Versioning: runs recorded before an update on the contract waited for a hire answer in flight. */
const JUDGE_AFTER_HIRE_ANSWER_PATCH = 'judge-updates-after-hire-answer';

/** Versioning: runs recorded before an event our own moves explain stopped causing a contract read. */
const READ_ONLY_UNEXPLAINED_EVENTS_PATCH = 'contract-read-only-for-unexplained-events';

/** The operations that act on the contract, so cannot be judged before the hire's answer is in. */
const ON_THE_CONTRACT: ReadonlySet<IntentKind> = new Set([
  'add_milestone',
  'fund',
  'release',
  'end',
  'send_message',
]);

/**
 * The doors into the workflow. Every operation is an intent under a key: an update's key is its updateId
 * (which the client sets to the caller's idempotency key), a signal's the optional `idempotencyKey` of its
 * argument. A repeated key answers the first outcome and causes nothing; the same key with other arguments is
 * refused (`idempotency_key_mismatch`). Bad input is refused by the update's validator and leaves no trace; a
 * refusal by the engagement's rules is recorded under its key, so every repeat answers it again.
 */
export function registerEngagementHandlers(runtime: EngagementRuntime): void {
  const m = runtime.machine;
  const ops = engagementOperations(runtime);
  // Decided once at the start of the run, so the marker's place in history never depends on a handler's timing.
  const judgeAfterHireAnswer = patched(JUDGE_AFTER_HIRE_ANSWER_PATCH);
  const readsOnlyUnexplainedEvents = patched(READ_ONLY_UNEXPLAINED_EVENTS_PATCH);

  setHandler(stateQuery, () => runtime.state());

  /** Open the intent for a new key, or find the one a repeat refers to; throws on a mismatch or a rule. */
  function admit<A>(
    op: Operation<A>,
    key: string,
    input: A,
    via: IntentRecord['via'],
    door: IntentRecord['door'],
  ): IntentRecord {
    const fingerprint = fingerprintOf(input);
    const found = lookupIntent(m.intents, key, op.kind, fingerprint);
    refuseMismatch(found);
    if (found.kind === 'repeat') return found.intent;
    pruneIntents(m.intents, Date.now());
    const init = { key, kind: op.kind, via, fingerprint, ...(door ? { door } : {}) };
    const opened = `${op.kind} ${key} (${via}${door ? `, ${door}` : ''})`;
    if (judgeAfterHireAnswer && ON_THE_CONTRACT.has(op.kind) && hireAnswerPending(m)) {
      const intent = openIntent(m.intents, init, runtime.now());
      m.record(runtime.now(), 'intent_opened', `${opened}, judged once the hire's answer is in`);
      void judgeWhenHireAnswered(op, input, intent);
      return intent;
    }
    try {
      op.guard(input);
    } catch (err) {
      // A refusal is the key's first outcome too: a repeat answers it again instead of being judged anew.
      if (err instanceof EngagementRuleError && (via === 'update' || !key.startsWith('signal:')))
        refuse(openIntent(m.intents, init, runtime.now()), err);
      throw err;
    }
    const intent = openIntent(m.intents, init, runtime.now());
    m.record(runtime.now(), 'intent_opened', opened);
    op.begin(input, intent);
    return intent;
  }

  function refuse(intent: IntentRecord, err: EngagementRuleError): void {
    intent.reply = { ok: false, failure: ruleFailure(err) };
    settleIntent(intent, 'refused', runtime.now());
  }

  /** `admit`'s judgement, once the hire's answer has landed (see `hireAnswerPending`); the caller waits for it. */
  async function judgeWhenHireAnswered<A>(op: Operation<A>, input: A, intent: IntentRecord): Promise<void> {
    try {
      await condition(() => !hireAnswerPending(m));
      op.guard(input);
      op.begin(input, intent);
    } catch (err) {
      if (err instanceof EngagementRuleError) {
        runtime.reply(intent, { ok: false, failure: ruleFailure(err) });
        settleIntent(intent, 'refused', runtime.now());
      } else if (!isCancellation(err)) throw err;
    }
  }

  function updateKey(): string {
    const updateId = currentUpdateInfo()?.id;
    return updateId ? intentKeyOfUpdateId(updateId) : uuid4();
  }

  function onUpdate<S extends z.ZodType, A extends z.output<S>>(schema: S, op: Operation<A>) {
    return {
      validator: (input: unknown) =>
        validating(() => {
          const parsed = parseInput(schema, input) as A;
          const found = lookupIntent(m.intents, updateKey(), op.kind, fingerprintOf(parsed));
          refuseMismatch(found);
          if (found.kind === 'repeat') return;
          // "Not now" is answered here and leaves no trace; every other rule is judged in the handler, so its
          // refusal is remembered under the key.
          try {
            op.guard(parsed);
          } catch (err) {
            if (err instanceof EngagementRuleError && WAIT_AND_REPEAT_CODES.includes(err.code)) throw err;
          }
        }),
      handler: async (input: unknown): Promise<never> => {
        try {
          const intent = admit(op, updateKey(), parseInput(schema, input) as A, 'update', doorOf(input));
          return (await runtime.awaitReply(intent)) as never;
        } catch (err) {
          throw toUpdateFailure(err);
        }
      },
    };
  }

  function onSignal<S extends z.ZodType, A extends z.output<S>>(name: string, schema: S, op: Operation<A>) {
    return (raw: unknown): void => {
      try {
        const { idempotencyKey, ...input } = (raw && typeof raw === 'object' ? raw : {}) as Record<
          string,
          unknown
        >;
        const key =
          idempotencyKey === undefined
            ? `signal:${uuid4()}`
            : parseInput(idempotencyKeySchema, idempotencyKey);
        admit(op, key, parseInput(schema, input) as A, 'signal', doorOf(input));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        log.warn(`${name} signal dropped: ${message}`);
        m.record(runtime.now(), 'signal_rejected', `${name}: ${message}`);
      }
    };
  }

  const addMilestone = onUpdate(addMilestoneInputSchema, ops.addMilestone);
  const fund = onUpdate(milestoneRefSchema, ops.fund);
  const release = onUpdate(milestoneRefSchema, ops.release);
  const end = onUpdate(endContractInputSchema, ops.end);
  const retry = onUpdate(retryInputSchema, ops.retry);
  const confirmNotFit = onUpdate(confirmNotFitInputSchema, ops.confirmNotFit);
  const sendMessage = onUpdate(sendMessageInputSchema, ops.sendMessage);
  setHandler(addMilestoneUpdate, addMilestone.handler, { validator: addMilestone.validator });
  setHandler(fundMilestoneUpdate, fund.handler, { validator: fund.validator });
  setHandler(releaseMilestoneUpdate, release.handler, { validator: release.validator });
  setHandler(endContractUpdate, end.handler, { validator: end.validator });
  setHandler(retryUpdate, retry.handler, { validator: retry.validator });
  setHandler(confirmNotFitUpdate, confirmNotFit.handler, { validator: confirmNotFit.validator });
  setHandler(sendMessageUpdate, sendMessage.handler, { validator: sendMessage.validator });

  setHandler(addMilestoneSignal, onSignal('addMilestone', addMilestoneInputSchema, ops.addMilestone));
  setHandler(fundMilestoneSignal, onSignal('fundMilestone', milestoneRefSchema, ops.fund));
  setHandler(releaseMilestoneSignal, onSignal('releaseMilestone', milestoneRefSchema, ops.release));
  setHandler(endContractSignal, onSignal('endContract', endContractInputSchema, ops.end));
  setHandler(retrySignal, onSignal('retry', retryInputSchema, ops.retry));
  setHandler(confirmNotFitSignal, onSignal('confirmNotFit', confirmNotFitInputSchema, ops.confirmNotFit));

  setHandler(recheckPreconditionsSignal, (raw) => {
    const { idempotencyKey: _key, ...input } = (raw ?? {}) as Record<string, unknown>;
    if (!accepts('recheckPreconditions', recheckPreconditionsInputSchema, input)) return;
    m.requestRecheck(runtime.now());
  });

  setHandler(approvalResolvedSignal, (input) => {
    if (!accepts('approvalResolved', approvalResolvedSchema, input)) return;
    const outcome = m.noteResolution(input.approvalId, input.status);
    if (outcome === 'stale' || outcome === 'unknown') {
      log.info(`approvalResolved ignored: ${outcome} approval id`, {
        approvalId: input.approvalId,
        status: input.status,
      });
    }
  });

  setHandler(openTrainEventSignal, (input) => {
    if (!accepts('openTrainEvent', openTrainEventNoticeSchema, input)) return;
    const ours =
      (input.contractId !== undefined && input.contractId === m.contractId) ||
      (input.milestoneId !== undefined && m.milestone(input.milestoneId) !== undefined);
    if (ours && (!readsOnlyUnexplainedEvents || eventNeedsContractRead(m.snapshot, input)))
      m.markContractStale();
  });

  setHandler(messageReceivedSignal, (input) => {
    if (!accepts('messageReceived', messageReceivedNoticeSchema, input)) return;
    if (input.conversationId === m.snapshot.jobDmConversationId) runtime.thread.syncSoon();
    else log.info("messageReceived ignored: not this engagement's thread", { ...input });
  });

  for (const intent of m.intents) if (intent.status === 'open') ops.resume(intent);
  runtime.thread.resume();
}

function ruleFailure(err: EngagementRuleError) {
  return { type: err.code, message: err.message, details: err.details };
}

function refuseMismatch(found: IntentLookup): void {
  if (found.kind !== 'mismatch') return;
  const failure = mismatchFailure(found.intent);
  throw new EngagementRuleError('idempotency_key_mismatch', failure.message, failure.details);
}

function accepts<S extends z.ZodType>(name: string, schema: S, input: unknown): input is z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) log.warn(`${name} signal dropped: invalid input`, { issues: result.error.issues });
  return result.success;
}
