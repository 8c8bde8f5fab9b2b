import { observeMessage, type ObservedMessage } from '../domain/thread';
import { callOpenTrain } from './errors';
import type { EngagementOpenTrain } from './deps';

/** How many of the thread's newest messages one read brings: OpenTrain's default page, enough to find ours. */
export const THREAD_READ_LIMIT = 20;

/**
 * The trainer's thread: one `POST /messages` (never retried here — a resend without reading first could send
 * twice; the workflow settles doubt, workflows/thread-send.ts) and a read of the newest messages.
 */
export function createMessageActivities(openTrain: EngagementOpenTrain) {
  return {
    async postThreadMessage(input: { conversationId: string; content: string }): Promise<ObservedMessage> {
      return observeMessage(await callOpenTrain((o) => openTrain.sendMessage(input, o)));
    },

    /** The newest messages, newest first; with `sentContent`, each says whether its whole text is that one. */
    async readThreadNewest(input: {
      conversationId: string;
      sentContent?: string;
    }): Promise<ObservedMessage[]> {
      const page = await callOpenTrain((o) =>
        openTrain.listMessages(
          { conversationId: input.conversationId, direction: 'older', limit: THREAD_READ_LIMIT },
          o,
        ),
      );
      return page.messages.map((m) => observeMessage(m, input.sentContent));
    },
  };
}
