import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { authorize, GATES } from '../auth';
import type { SandboxContext } from '../context';
import { notFound, parseOr400 } from '../errors';
import { EVENTS_FOR_OWN_MESSAGES } from '../gaps';
import type { Message } from '../model';

const sendMessageSchema = z.object({
  conversationId: z.string({ error: 'is required' }).min(1, { error: 'is required' }),
  content: z
    .string({ error: 'is required' })
    .min(1, { error: 'must not be empty' })
    .max(10_000, { error: 'must be at most 10,000 characters' }),
});

/**
 * POST /messages (docs/opentrain-api.md#messaging) on a conversation of the caller's, i.e. a contract's job
 * thread.
 */
export function registerMessageRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.post('/messages', async (request, reply) => {
    const account = authorize(ctx, request, GATES.sendMessage);
    const body = parseOr400(sendMessageSchema, request.body);
    const conversation = ctx.store.state.conversations[body.conversationId];
    if (!conversation || conversation.accountId !== account.id)
      throw notFound('conversations', body.conversationId);
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
    return reply.code(201).send({
      ok: true,
      message: {
        id: message.id,
        createdAt: message.createdAt,
        updatedAt: message.createdAt,
        conversationId: conversation.id,
        jobId: conversation.jobId,
        senderUserId: message.senderUserId,
        isFromViewer: true,
        content: message.content,
        messageType: null,
        system: false,
        hasUnreadFlag: false,
        attachmentCount: 0,
        hasAudio: false,
        editedAt: null,
        reactionCount: 0,
      },
    });
  });
}
