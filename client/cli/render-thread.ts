import type { EngagementState } from '../../domain/engagement-view';
import type { ThreadMessage } from '../../domain/thread';

/** How many of the kept messages `state` prints; `message list` reads the whole thread. */
const SHOWN_IN_STATE = 5;

/** One message as a person reads it: time, who, and the text (continuation lines indented under it). */
export function renderThreadMessage(m: ThreadMessage): string {
  const [first, ...rest] = m.content.split('\n');
  const head = `${m.at.slice(0, 19).replace('T', ' ')}Z  ${m.sender.padEnd(7)}  ${first}`;
  return [head, ...rest.map((line) => `${' '.repeat(31)}${line}`)].join('\n');
}

export function renderThreadSection(thread: EngagementState['thread']): string[] {
  if (!thread || thread.messages.length === 0) return [];
  const unread = thread.unread > 0 ? ` — ${thread.unread} from the trainer waiting for an answer` : '';
  const shown = thread.messages.slice(-SHOWN_IN_STATE);
  return [
    '',
    `Thread ${thread.conversationId} (last ${shown.length} of ${thread.messages.length} kept${unread})`,
    ...shown.map((m) => `  ${renderThreadMessage(m)}`),
  ];
}
