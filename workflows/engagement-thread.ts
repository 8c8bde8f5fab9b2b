import { condition, isCancellation } from '@temporalio/workflow';
import { POLICY_DEFAULTS } from '../domain/policy';
import {
  mergeThread,
  replyToNotify,
  toThreadMessage,
  type ObservedMessage,
  type ThreadMessage,
  type ThreadState,
} from '../domain/thread';
import { threadReadActivities } from './engagement-activities';
import type { EngagementRuntime } from './engagement-runtime';
import { failureInfo, rethrowUnlessActivityFailure } from './failures';

/** The longest excerpt of a message that goes into history lines and notifications. */
const EXCERPT_CHARS = 120;

/**
 * The engagement's copy of the trainer's thread: merged from every send and every read, re-read when OpenTrain
 * says a message arrived (`messageReceived`, routed by the updates feed), and watched so the human hears of a
 * trainer's message that waits too long for an answer. Every command here follows a new signal or update, so
 * histories recorded before messaging existed replay unchanged.
 */
export class EngagementThread {
  private syncWanted = false;
  private syncing = false;
  /** The trainer's message whose waiting time is being watched, so each is watched once per run. */
  private watching?: string;

  constructor(private readonly rt: EngagementRuntime) {}

  get state(): ThreadState {
    return (this.rt.machine.snapshot.thread ??= { messages: [] });
  }

  /** What a send intent answers: the message as the thread keeps it. */
  view(messageId: string | undefined): ThreadMessage | undefined {
    return this.state.messages.find((m) => m.id === messageId);
  }

  merge(observed: readonly ObservedMessage[]): void {
    const known = new Set(this.state.messages.map((m) => m.id));
    const incoming = observed.map(toThreadMessage);
    if (!mergeThread(this.state, incoming)) return;
    const now = this.rt.now();
    for (const m of incoming)
      if (!known.has(m.id) && this.view(m.id))
        this.rt.machine.record(now, m.sender === 'you' ? 'message_sent' : 'message_received', excerpt(m));
    this.watchWaitingReply();
  }

  /** OpenTrain announced a message in our thread: read its newest messages (once per burst of notices). */
  syncSoon(): void {
    this.syncWanted = true;
    if (!this.syncing) void this.syncLoop();
  }

  /** A new run (continue-as-new) keeps watching the reply the last one was watching. */
  resume(): void {
    if (this.rt.machine.snapshot.thread) this.watchWaitingReply();
  }

  /** `sentContent`: a send in doubt wants to know which message is its own (compared on the whole text). */
  async readNewest(conversationId: string, sentContent?: string): Promise<ObservedMessage[]> {
    const newest = await this.rt.track('read:thread', () =>
      threadReadActivities.readThreadNewest({ conversationId, sentContent }),
    );
    this.merge(newest);
    return newest;
  }

  private async syncLoop(): Promise<void> {
    const conversationId = this.rt.machine.snapshot.jobDmConversationId;
    if (!conversationId) return;
    this.syncing = true;
    try {
      while (this.syncWanted && !this.rt.handingOver) {
        this.syncWanted = false;
        try {
          await this.readNewest(conversationId);
        } catch (err) {
          rethrowUnlessActivityFailure(err);
          // The next notice (or the next send) reads again; the thread on OpenTrain stays the truth.
          this.rt.machine.record(this.rt.now(), 'thread_read_failed', failureInfo(err).message);
        }
      }
    } catch (err) {
      if (!isCancellation(err)) throw err;
    } finally {
      this.syncing = false;
    }
  }

  /** Tell the human once when the trainer's oldest unanswered message has waited `replyWaitingNotifyMs`. */
  private watchWaitingReply(): void {
    const waiting = replyToNotify(this.state);
    if (!waiting || this.watching === waiting.id) return;
    this.watching = waiting.id;
    void this.tellWhenStillWaiting(waiting);
  }

  private async tellWhenStillWaiting(waiting: ThreadMessage): Promise<void> {
    const m = this.rt.machine;
    // Engagements whose policy was parsed before this field existed carry none.
    const thresholdMs = m.policy.replyWaitingNotifyMs ?? POLICY_DEFAULTS.replyWaitingNotifyMs;
    const waitedMs = Math.max(0, Date.now() - Date.parse(waiting.at));
    try {
      const answered = await condition(
        () => replyToNotify(this.state)?.id !== waiting.id,
        Math.max(1, thresholdMs - waitedMs),
      );
      if (answered || this.state.notifiedReplyId === waiting.id) return;
      this.state.notifiedReplyId = waiting.id;
      m.record(this.rt.now(), 'reply_waiting', excerpt(waiting));
      await this.rt.tell({
        kind: 'reply_waiting',
        message: `The trainer's message of ${waiting.at} waits for an answer: "${excerpt(waiting)}"`,
      });
    } catch (err) {
      if (!isCancellation(err)) throw err;
    } finally {
      if (this.watching === waiting.id) this.watching = undefined;
    }
  }
}

function excerpt(m: ThreadMessage): string {
  const text = m.content.replace(/\s+/g, ' ').trim();
  const short = text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS - 1)}…` : text;
  return `${m.sender}: ${short}`;
}
