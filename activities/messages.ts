import type { ObservedMessage } from '../domain/thread';
import type { Message } from '../opentrain';
import { callOpenTrain } from './errors';
import type { EngagementOpenTrain } from './deps';

/** How many of the thread's newest messages one read brings (OpenTrain's page limit is 100). */
export const THREAD_READ_LIMIT = 50;

/**
 * The trainer's thread: one `POST /messages` (never retried here — a resend without reading first could send
 * twice; the workflow settles doubt, workflows/thread-send.ts) and a read of the newest messages.
 */
export function createMessageActivities(openTrain: EngagementOpenTrain) {
  return {
    async postThreadMessage(input: { conversationId: string; content: string }): Promise<ObservedMessage> {
      return observed(await callOpenTrain((o) => openTrain.sendMessage(input, o)));
    },

    /** The newest messages, newest first. */
    async readThreadNewest(input: { conversationId: string }): Promise<ObservedMessage[]> {
      const page = await callOpenTrain((o) =>
        openTrain.listMessages(
          { conversationId: input.conversationId, direction: 'older', limit: THREAD_READ_LIMIT },
          o,
        ),
      );
      return page.messages.map(observed);
    },
  };
}

/** Only what the workflow keeps: the content is the thread's, no sender ids or attachment data. */
function observed(m: Message): ObservedMessage {
  return { id: m.id, content: m.content, isFromViewer: m.isFromViewer ?? false, createdAt: m.createdAt };
}
