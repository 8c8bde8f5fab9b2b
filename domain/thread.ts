import { z } from 'zod';
import { EngagementRuleError } from './engagement-errors';
import type { EngagementSnapshot } from './engagement-model';
import type { RequestFailure } from './money-move';
import { classifyRequestFailure } from './money-move';
import { TERMINAL_PHASES } from './phases';

/**
 * The trainer's thread (the contract's `jobDmConversationId`): what the engagement keeps of it, and the pure
 * decisions of sending into it. `POST /messages` is not idempotent on OpenTrain, so a send whose answer is in
 * doubt is settled by reading the thread and adopting the message we sent — never by a blind resend. The
 * workflow's routine (workflows/thread-send.ts) executes these decisions; nothing here knows Temporal.
 */

/** OpenTrain's limit for one message (docs/opentrain-api.md#messaging): 1–10,000 characters of plain text. */
export const MESSAGE_MAX_CHARS = 10_000;

export const sendMessageInputSchema = z.object({
  content: z
    .string({ error: 'must be a string of plain text' })
    .min(1, { error: 'must not be empty' })
    .max(MESSAGE_MAX_CHARS, {
      error: 'must be at most 10,000 characters',
    }),
});
export type SendMessageInput = z.infer<typeof sendMessageInputSchema>;

/** A message needs the contract's thread, and an engagement still running (an ended contract's thread is closed). */
export function checkSendMessage(s: EngagementSnapshot): string {
  if (TERMINAL_PHASES.includes(s.phase))
    throw new EngagementRuleError(
      'engagement_closed',
      `the engagement is ${s.phase}: its contract's thread takes no new messages (message the trainer in the OpenTrain app)`,
    );
  if (!s.contractId || !s.jobDmConversationId)
    throw new EngagementRuleError(
      'contract_not_active',
      'there is no contract thread yet: messages can be sent once the hire is confirmed',
    );
  return s.jobDmConversationId;
}

/** How many of the thread's newest messages the engagement keeps (and `state` shows). */
export const THREAD_KEEP = 50;

export const threadMessageSchema = z.object({
  id: z.string(),
  sender: z.enum(['you', 'trainer']),
  at: z.string(),
  content: z.string(),
  /** The engagement keeps the first KEPT_CONTENT_CHARS of a message; `message list` has the whole text. */
  truncated: z.boolean().optional(),
});
export type ThreadMessage = z.infer<typeof threadMessageSchema>;

export interface ThreadState {
  /** The newest THREAD_KEEP messages, oldest first. */
  messages: ThreadMessage[];
  /** The trainer's message the human was last told is waiting for an answer (told once per message). */
  notifiedReplyId?: string;
}

/**
 * How much of each message the engagement keeps: its state (50 messages) is carried across continue-as-new and
 * every thread read lands in history, so a 10,000-character message must not cost 10,000 characters each time.
 */
export const KEPT_CONTENT_CHARS = 1_000;

/** A message as OpenTrain returns it (opentrain/schemas.ts), reduced to what the engagement keeps and decides on. */
export interface ObservedMessage {
  id: string;
  content: string;
  isFromViewer?: boolean;
  createdAt: string;
  /** `content` is the first KEPT_CONTENT_CHARS of a longer text. */
  truncated?: boolean;
  /** When a read settles a send: whether the whole text is the one that send sent. */
  sameAsSent?: boolean;
}

/** What the activities hand the workflow: the kept excerpt, and (for a send in doubt) whether it is our text. */
export function observeMessage(
  m: { id: string; content: string; isFromViewer?: boolean; createdAt: string },
  sentContent?: string,
): ObservedMessage {
  const long = m.content.length > KEPT_CONTENT_CHARS;
  return {
    id: m.id,
    content: long ? `${m.content.slice(0, KEPT_CONTENT_CHARS)}…` : m.content,
    isFromViewer: m.isFromViewer ?? false,
    createdAt: m.createdAt,
    ...(long ? { truncated: true } : {}),
    ...(sentContent === undefined ? {} : { sameAsSent: m.content === sentContent }),
  };
}

export function toThreadMessage(m: ObservedMessage): ThreadMessage {
  return {
    id: m.id,
    sender: m.isFromViewer ? 'you' : 'trainer',
    at: m.createdAt,
    content: m.content,
    ...(m.truncated ? { truncated: true } : {}),
  };
}

/** Merge what a read or a send showed: no duplicates, ordered by time, only the newest THREAD_KEEP kept. */
export function mergeThread(thread: ThreadState, observed: readonly ThreadMessage[]): boolean {
  const byId = new Map(thread.messages.map((m) => [m.id, m]));
  let changed = false;
  for (const m of observed) {
    if (byId.has(m.id)) continue;
    byId.set(m.id, m);
    changed = true;
  }
  if (!changed) return false;
  const ordered = [...byId.values()].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  thread.messages = ordered.slice(-THREAD_KEEP);
  return true;
}

/** The trainer's messages since our last one: what waits for an answer. */
export function unreadReplies(thread: ThreadState): ThreadMessage[] {
  const waiting: ThreadMessage[] = [];
  for (const m of thread.messages) {
    if (m.sender === 'you') waiting.length = 0;
    else waiting.push(m);
  }
  return waiting;
}

/**
 * The trainer's oldest unanswered message the human has not been told about yet; the workflow tells the human
 * once it has waited `replyWaitingNotifyMs`. Undefined when nothing waits or the human already knows.
 */
export function replyToNotify(thread: ThreadState): ThreadMessage | undefined {
  const waiting = unreadReplies(thread);
  if (waiting.some((m) => m.id === thread.notifiedReplyId)) return undefined;
  return waiting[0];
}

/** OpenTrain's clock and ours may differ a little; a sent message may carry a slightly earlier time. */
export const CLOCK_SKEW_TOLERANCE_MS = 5 * 60_000;

export interface SendAttempt {
  content: string;
  /** Our clock just before the first request (ISO). */
  sentAfter: string;
  /** Messages other sends already adopted or created: never ours to adopt again. */
  claimedIds: ReadonlySet<string>;
}

/**
 * After an in-doubt answer: the message we sent, if the thread shows it — from us, the same content, not
 * claimed by another send, written after the request (within the clock tolerance). The oldest such one: a
 * later twin could only be a second send of the same words, which is another intent's.
 */
export function adoptSentMessage(
  newest: readonly ObservedMessage[],
  attempt: SendAttempt,
): ObservedMessage | undefined {
  const earliest = Date.parse(attempt.sentAfter) - CLOCK_SKEW_TOLERANCE_MS;
  return newest
    .filter(
      (m) =>
        m.isFromViewer === true &&
        (m.sameAsSent ?? m.content === attempt.content) &&
        !attempt.claimedIds.has(m.id) &&
        Date.parse(m.createdAt) >= earliest,
    )
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))[0];
}

export type SendDecision =
  /** The answer may hide a committed message: read the thread, adopt it if there, else send again. */
  | { kind: 'read_and_adopt' }
  /** OpenTrain refused; nothing was sent. The failure names the remedy. */
  | { kind: 'refused'; failure: MessagingRefusal };

export interface MessagingRefusal {
  type: string;
  message: string;
  details: Record<string, unknown>;
}

/** A failed send as the activity failure told it, with OpenTrain's `details`. */
export interface SendFailure extends RequestFailure {
  details?: Record<string, unknown>;
}

/**
 * How to read a failed send. 5xx, timeouts, resets, bodies that broke the schema and 409s are in doubt; a 429 is
 * a refusal (the rate limit never commits); every other 4xx becomes a typed refusal that says what to do.
 */
export function decideAfterSendFailure(failure: SendFailure): SendDecision {
  if (failure.status === 429) return { kind: 'refused', failure: messagingRefusal(failure) };
  const verdict = classifyRequestFailure(failure);
  if (verdict === 'in_doubt') return { kind: 'read_and_adopt' };
  return { kind: 'refused', failure: messagingRefusal(failure) };
}

/** After reading the thread and finding nothing to adopt: send again, unless the answer was a conflict. */
export function decideWhenNotFound(failure: SendFailure): SendDecision {
  return failure.status === 409
    ? { kind: 'refused', failure: messagingRefusal(failure) }
    : { kind: 'read_and_adopt' };
}

/** OpenTrain's messaging errors (docs/opentrain-api.md#messaging) as typed refusals naming the remedy. */
export function messagingRefusal(failure: SendFailure): MessagingRefusal {
  const d = failure.details ?? {};
  const reason = typeof d.reason === 'string' ? d.reason : failure.type;
  const refusal = (type: string, remedy: string, extra: Record<string, unknown> = {}): MessagingRefusal => ({
    type,
    message: `${failure.message} — ${remedy}`,
    details: { remedy, openTrainStatus: failure.status, ...extra },
  });
  if (reason === 'account_claim_required')
    return refusal(
      'account_claim_required',
      'a human must claim the agent account before it can send messages',
      { claimUrl: d.claimUrl },
    );
  if (Array.isArray(d.requiredScopes))
    return refusal(
      'messages_write_scope_missing',
      'mint a token with the messages:write scope (OpenTrain app → Settings → API keys) and restart the worker with it',
      { requiredScopes: d.requiredScopes },
    );
  if (d.featureKey === 'public_api_messaging_writes')
    return refusal(
      'messaging_writes_disabled',
      'ask OpenTrain to enable the public_api_messaging_writes feature for this account',
      { featureKey: d.featureKey },
    );
  if (failure.status === 429)
    return refusal('messaging_rate_limited', 'wait a minute, then send again with a new idempotency key');
  if (reason === 'content_policy_violation')
    return refusal(
      'message_content_refused',
      'OpenTrain refused the content (e.g. off-platform contact details); rephrase it and send with a new key',
    );
  if (failure.status === 404 || reason === 'conversation_closed')
    return refusal(
      'not_conversation_member',
      'this token cannot write to the contract thread (not a member, or the contract ended); check the contract',
    );
  if (failure.status === 401)
    return refusal(
      'opentrain_access',
      'the OpenTrain token is invalid or revoked; restart the worker with a valid one',
    );
  return refusal(
    reason ?? 'message_refused',
    'fix what OpenTrain names and send again with a new idempotency key',
  );
}

/** `message list`: one page of the whole thread as OpenTrain has it (message mode of `GET /messages`). */
export const threadPageQuerySchema = z.object({
  cursor: z.string().trim().min(1, { error: 'must not be empty' }).max(200).optional(),
  direction: z.enum(['older', 'newer'], { error: 'must be older or newer' }).optional(),
  limit: z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' })
    .max(100, { error: 'must be at most 100' })
    .optional(),
});
export type ThreadPageQuery = z.infer<typeof threadPageQuerySchema>;

export const threadPageSchema = z.object({
  engagementId: z.string(),
  conversationId: z.string(),
  /** In the order OpenTrain pages them: newest first for `older` (the default), oldest first for `newer`. */
  messages: z.array(threadMessageSchema),
  /** Pass as `cursor` for the next page; null at the end of the thread. */
  nextCursor: z.string().nullable(),
});
export type ThreadPage = z.infer<typeof threadPageSchema>;
