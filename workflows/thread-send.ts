import { isCancellation, sleep } from '@temporalio/workflow';
import { settleIntent, type IntentRecord } from '../domain/intents';
import { doubtBackoffMs, IMMEDIATE_DOUBT_ROUNDS } from '../domain/money-move';
import {
  adoptSentMessage,
  checkSendMessage,
  decideAfterSendFailure,
  decideWhenNotFound,
  type ObservedMessage,
  type SendMessageInput,
} from '../domain/thread';
import { messageSendActivities } from './engagement-activities';
import type { Operation } from './engagement-operations';
import type { EngagementRuntime } from './engagement-runtime';
import { failureInfo, rethrowUnlessActivityFailure } from './failures';

type Step = 'settled' | 'send' | 'retry_later';

/**
 * `sendMessage`: one message into the contract's thread, once. `POST /messages` is sent a single time per
 * attempt; when its answer is in doubt (5xx, timeout, 409, a body that broke the schema) the thread's newest
 * messages are read and the one we sent is adopted (domain/thread.ts). Only a read that proves it absent leads
 * to another request — never a blind resend. The intent's `send` record carries all of it across continue-as-new.
 */
export function sendMessageOperation(rt: EngagementRuntime): Operation<SendMessageInput> {
  return {
    kind: 'send_message',
    guard: () => void checkSendMessage(rt.machine.snapshot),
    begin: (input, intent) => void carrySend(rt, input, intent),
  };
}

/** After continue-as-new: an open send carries on from its record (reading first if it was sent). */
export function resumeSend(rt: EngagementRuntime, intent: IntentRecord): void {
  void carrySend(rt, JSON.parse(intent.fingerprint) as SendMessageInput, intent);
}

async function carrySend(
  rt: EngagementRuntime,
  input: SendMessageInput,
  intent: IntentRecord,
): Promise<void> {
  const conversationId = rt.machine.snapshot.jobDmConversationId as string;
  const send = (intent.send ??= {});
  let rounds = 0;
  try {
    while (intent.status === 'open' && !rt.handingOver) {
      let step: Step = 'send';
      if (send.sentAfter !== undefined) step = await settleFromThread(rt, conversationId, input, intent);
      if (step === 'send') step = await postOnce(rt, conversationId, input, intent);
      if (step === 'settled') return;
      rounds += 1;
      if (rounds > IMMEDIATE_DOUBT_ROUNDS) {
        rt.provisional(intent, {
          type: 'opentrain_in_doubt',
          message: 'the message send is in doubt; the engagement keeps reading the thread to settle it',
        });
        await sleep(doubtBackoffMs(rounds - IMMEDIATE_DOUBT_ROUNDS));
      }
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
  }
}

async function postOnce(
  rt: EngagementRuntime,
  conversationId: string,
  input: SendMessageInput,
  intent: IntentRecord,
): Promise<Step> {
  const send = intent.send!;
  send.sentAfter ??= rt.now();
  try {
    const sent = await rt.track(`message:${intent.key}`, () =>
      messageSendActivities.postThreadMessage({ conversationId, content: input.content }),
    );
    settleSent(rt, intent, sent, 'sent');
    return 'settled';
  } catch (err) {
    rethrowUnlessActivityFailure(err);
    const info = failureInfo(err);
    rt.machine.record(rt.now(), 'request_failed', `send message: ${info.message}`);
    const failure = { type: info.type, status: info.status, message: info.message, details: info.apiDetails };
    const decision = decideAfterSendFailure(failure);
    if (decision.kind === 'refused') {
      rt.reply(intent, { ok: false, failure: decision.failure });
      settleIntent(intent, 'refused', rt.now());
      return 'settled';
    }
    send.doubtStatus = info.status;
    return 'retry_later';
  }
}

/** The answer was in doubt: read the thread and adopt our message, or learn that it was never written. */
async function settleFromThread(
  rt: EngagementRuntime,
  conversationId: string,
  input: SendMessageInput,
  intent: IntentRecord,
): Promise<Step> {
  const send = intent.send!;
  let newest: ObservedMessage[];
  try {
    newest = await rt.thread.readNewest(conversationId, input.content);
  } catch (err) {
    rethrowUnlessActivityFailure(err);
    rt.machine.record(rt.now(), 'thread_read_failed', failureInfo(err).message);
    return 'retry_later';
  }
  const claimedIds = new Set(
    rt.machine.intents.filter((i) => i !== intent && i.send?.messageId).map((i) => i.send!.messageId!),
  );
  const ours = adoptSentMessage(newest, { content: input.content, sentAfter: send.sentAfter!, claimedIds });
  if (ours) {
    settleSent(rt, intent, ours, 'adopted');
    return 'settled';
  }
  const next = decideWhenNotFound({
    status: send.doubtStatus,
    type: 'CONFLICT',
    message: 'OpenTrain answered 409 and the thread does not show the message',
  });
  if (next.kind === 'refused') {
    rt.reply(intent, { ok: false, failure: next.failure });
    settleIntent(intent, 'refused', rt.now());
    return 'settled';
  }
  rt.machine.record(rt.now(), 'message_not_found', `${intent.key}: not in the thread, sending again`);
  return 'send';
}

function settleSent(
  rt: EngagementRuntime,
  intent: IntentRecord,
  message: ObservedMessage,
  outcome: 'sent' | 'adopted',
): void {
  intent.send!.messageId = message.id;
  rt.thread.merge([{ ...message, isFromViewer: true }]);
  rt.reply(intent, { ok: true });
  settleIntent(intent, outcome, rt.now());
}
