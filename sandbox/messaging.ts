import type { SandboxContext } from './context';
import { ApiError, notFound } from './errors';
import {
  CLOSED_CONVERSATION_REASON,
  CONTENT_POLICY_PATTERN,
  CONTENT_POLICY_REASON,
  DEFAULT_RETRY_AFTER_SEC,
  MESSAGES_PER_MINUTE,
} from './gaps';
import type { Account, Conversation, Message } from './model';

/**
 * The sandbox's messaging rules (sandbox/gaps.ts says which are ours): who may read a thread, when a send is
 * refused, and the thread's messages as the API shows them. Shared by the public routes and the control route
 * that makes the trainer reply.
 */

export function ownedConversation(
  ctx: SandboxContext,
  account: Account,
  conversationId: string,
): Conversation {
  const conversation = ctx.store.state.conversations[conversationId];
  if (!conversation || conversation.accountId !== account.id) throw notFound('conversations', conversationId);
  return conversation;
}

/** Membership, rate limit and content policy, in that order — the checks "as in-app messaging" (docs/opentrain-api.md#messaging). */
export function checkSend(ctx: SandboxContext, conversation: Conversation, content: string): void {
  const contract = ctx.store.state.contracts[conversation.contractId];
  if (!contract || contract.status !== 'active') {
    throw new ApiError(403, 'This conversation is closed: its contract has ended.', {
      reason: CLOSED_CONVERSATION_REASON,
      conversationId: conversation.id,
    });
  }
  const minuteAgo = ctx.clock.nowMs() - 60_000;
  const recent = threadOf(ctx, conversation.id).filter((m) => Date.parse(m.createdAt) > minuteAgo);
  if (recent.length >= MESSAGES_PER_MINUTE) {
    throw new ApiError(429, 'You are sending messages too quickly. Wait a moment and try again.', {
      retryAfterSec: DEFAULT_RETRY_AFTER_SEC,
    });
  }
  if (CONTENT_POLICY_PATTERN.test(content)) {
    throw new ApiError(400, 'Messages must not share off-platform contact details.', {
      reason: CONTENT_POLICY_REASON,
      field: 'content',
    });
  }
}

/** A conversation's messages, oldest first. */
export function threadOf(ctx: SandboxContext, conversationId: string): Message[] {
  return ctx.store.state.messages.filter((m) => m.conversationId === conversationId);
}

export function messageToWire(message: Message, conversation: Conversation, viewer: Account) {
  return {
    id: message.id,
    createdAt: message.createdAt,
    updatedAt: message.createdAt,
    conversationId: conversation.id,
    jobId: conversation.jobId,
    senderUserId: message.senderUserId,
    isFromViewer: message.senderUserId === viewer.userId,
    content: message.content,
    messageType: null,
    system: false,
    hasUnreadFlag: message.unread === true,
    attachmentCount: 0,
    hasAudio: false,
    editedAt: null,
    reactionCount: 0,
  };
}
