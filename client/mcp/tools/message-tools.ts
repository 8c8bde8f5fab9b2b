import {
  sendMessageInputSchema,
  threadMessageSchema,
  threadPageQuerySchema,
  threadPageSchema,
} from '../../../domain/thread';
import { engagementIdSchema } from '../../engagement-client';
import { defineTool, idempotencyKeyField, mutating, readOnly, toolInput } from '../tool';

const engagementId = engagementIdSchema.describe('The engagement, engagement-<proposalId>');

export const sendMessage = defineTool({
  name: 'send_message',
  title: 'Message the trainer',
  description:
    "Send the hired trainer a message in the contract's thread (plain text, 1–10,000 characters). One message " +
    'per idempotencyKey: repeating the key never sends twice. The reply arrives in the state (thread); ' +
    'wait_for_engagement returns when it does.',
  input: toolInput({
    engagementId,
    content: sendMessageInputSchema.shape.content,
    idempotencyKey: idempotencyKeyField,
  }),
  output: threadMessageSchema,
  annotations: mutating(false),
  async run(args, ctx) {
    const sent = await ctx.engagements.sendMessage(
      args.engagementId,
      { content: args.content },
      { idempotencyKey: args.idempotencyKey },
    );
    return { text: `Sent ${sent.id} at ${sent.at}.`, structured: sent };
  },
});

export const listMessages = defineTool({
  name: 'list_messages',
  title: "Read the trainer's thread",
  description:
    'One page of the whole thread as OpenTrain has it (the state keeps only the newest 50). direction older ' +
    '(default): newest first; newer: oldest first; pass nextCursor as cursor for the next page.',
  input: toolInput({ engagementId, ...threadPageQuerySchema.shape }),
  output: threadPageSchema,
  annotations: { ...readOnly, openWorldHint: true },
  async run({ engagementId: id, ...query }, ctx) {
    const page = await ctx.engagements.listMessages(id, query);
    const lines = page.messages.map((m) => `${m.at} ${m.sender}: ${m.content}`);
    const more = page.nextCursor ? `\n(more: cursor ${page.nextCursor})` : '';
    return { text: `${lines.join('\n') || '(no messages)'}${more}`, structured: page };
  },
});
