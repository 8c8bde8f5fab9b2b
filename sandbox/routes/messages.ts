import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { authorize, GATES } from '../auth';
import type { SandboxContext } from '../context';
import { parseOr400 } from '../errors';
import {
  EVENTS_FOR_OWN_MESSAGES,
  MESSAGES_DEFAULT_LIMIT,
  MESSAGES_MAX_LIMIT,
  MESSAGES_WRAPPER_KEY,
} from '../gaps';
import { checkSend, messageToWire, ownedConversation, threadOf } from '../messaging';
import type { Account, Message } from '../model';

const sendMessageSchema = z.object({
  conversationId: z.string({ error: 'is required' }).min(1, { error: 'is required' }),
  content: z
    .string({ error: 'is required' })
    .min(1, { error: 'must not be empty' })
    .max(10_000, { error: 'must be at most 10,000 characters' }),
});

const listQuerySchema = z.object({
  conversationId: z.string().min(1).optional(),
  filter: z.enum(['all', 'job', 'proposal']).default('all'),
  unreadOnly: z.enum(['true', '1', 'false', '0']).optional(),
  direction: z.enum(['older', 'newer']).default('older'),
  limit: z.coerce.number().int().min(1).max(MESSAGES_MAX_LIMIT).default(MESSAGES_DEFAULT_LIMIT),
  cursor: z.string().min(1).optional(),
});
type ListQuery = z.infer<typeof listQuerySchema>;

/** GET and POST /messages (docs/opentrain-api.md#messaging) on the caller's conversations: its contracts' job threads. */
export function registerMessageRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get('/messages', async (request) => {
    const account = authorize(ctx, request, GATES.messagesRead);
    const query = parseOr400(listQuerySchema, request.query);
    return query.conversationId === undefined
      ? listConversations(ctx, account, query)
      : pageMessages(ctx, account, query.conversationId, query);
  });

  app.post('/messages', async (request, reply) => {
    const account = authorize(ctx, request, GATES.sendMessage);
    const body = parseOr400(sendMessageSchema, request.body);
    const conversation = ownedConversation(ctx, account, body.conversationId);
    checkSend(ctx, conversation, body.content);
    const message: Message = {
      id: ctx.store.newId('msg'),
      conversationId: conversation.id,
      senderUserId: account.userId,
      content: body.content,
      createdAt: ctx.clock.nowIso(),
    };
    ctx.store.state.messages.push(message);
    if (EVENTS_FOR_OWN_MESSAGES) {
      ctx.events.append(
        account.id,
        'message.received',
        { resourceId: message.id, jobId: conversation.jobId },
        { conversationId: conversation.id, messageId: message.id },
      );
    }
    return reply.code(201).send({ ok: true, message: messageToWire(message, conversation, account) });
  });
}

/** Message mode: one thread, paged from a message id (exclusive); reading marks the trainer's messages read. */
function pageMessages(ctx: SandboxContext, account: Account, conversationId: string, query: ListQuery) {
  const conversation = ownedConversation(ctx, account, conversationId);
  const thread = threadOf(ctx, conversation.id);
  const ordered = query.direction === 'older' ? [...thread].reverse() : thread;
  const start = query.cursor === undefined ? 0 : ordered.findIndex((m) => m.id === query.cursor) + 1;
  const page = ordered.slice(start, start + query.limit);
  const wire = page.map((m) => messageToWire(m, conversation, account));
  // Shown unread this once: reading the thread is what marks the trainer's messages read.
  for (const m of page) m.unread = false;
  const more = start + query.limit < ordered.length;
  return { [MESSAGES_WRAPPER_KEY]: wire, nextCursor: more ? (page.at(-1)?.id ?? null) : null };
}

/** List mode: the caller's conversations, newest activity first (all are post-hire job threads here). */
function listConversations(ctx: SandboxContext, account: Account, query: ListQuery) {
  const unreadOnly = query.unreadOnly === 'true' || query.unreadOnly === '1';
  const conversations = Object.values(ctx.store.state.conversations)
    .filter((c) => c.accountId === account.id && query.filter !== 'proposal')
    .map((c) => {
      const thread = threadOf(ctx, c.id);
      const last = thread.at(-1);
      const unreadCount = thread.filter((m) => m.unread).length;
      return {
        id: c.id,
        type: 'DIRECT_MESSAGE',
        bucket: 'job',
        jobId: c.jobId,
        proposalId: null,
        channelName: null,
        updatedAt:
          last?.createdAt ?? ctx.store.state.contracts[c.contractId]?.createdAt ?? ctx.clock.nowIso(),
        lastMessage: last
          ? {
              id: last.id,
              content: last.content,
              senderUserId: last.senderUserId,
              isFromViewer: last.senderUserId === account.userId,
              createdAt: last.createdAt,
            }
          : null,
        unreadCount,
        needsReplyCount: unreadCount,
      };
    })
    .filter((c) => !unreadOnly || c.unreadCount > 0)
    .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1));
  const start = query.cursor === undefined ? 0 : conversations.findIndex((c) => c.id === query.cursor) + 1;
  const page = conversations.slice(start, start + query.limit);
  return {
    conversations: page,
    nextCursor: start + query.limit < conversations.length ? (page.at(-1)?.id ?? null) : null,
  };
}
