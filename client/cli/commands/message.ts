import type { Command } from 'commander';
import { sendMessageInputSchema, threadPageQuerySchema, type ThreadMessage } from '../../../domain/thread';
import { parseInput } from '../../../domain/validation';
import { engagementIdArg, toNumber } from '../arguments';
import { engagementCommand, output, withEngagements } from '../context';
import type { CliIo, JsonOption } from '../context';
import { renderThreadMessage } from '../render-thread';
import { idempotencyKeyFor, withIdempotencyKey } from './idempotency';
import type { IdempotencyOption } from './idempotency';

interface ListOptions extends JsonOption {
  cursor?: string;
  direction?: string;
  limit?: number;
  all?: boolean;
}

/** The trainer's thread: `message send` through the engagement, `message list` straight from OpenTrain. */
export function registerMessage(program: Command, io: CliIo): void {
  const message = program.command('message').description("send to and read the trainer's thread");

  withIdempotencyKey(
    engagementCommand(message, 'send', 'send the trainer a message (plain text, 1–10,000 characters)'),
  )
    .argument('<content>', 'the message; quote it')
    .action(async (engagementId: string, content: string, options: IdempotencyOption) => {
      const id = engagementIdArg(engagementId);
      const input = parseInput(sendMessageInputSchema, { content }, 'message');
      const idempotencyKey = idempotencyKeyFor(io, options);
      const sent = await withEngagements(io, (e) => e.sendMessage(id, input, { idempotencyKey }));
      output(io, options, { ...sent, idempotencyKey }, () => `Sent ${sent.id}\n${renderThreadMessage(sent)}`);
    });

  engagementCommand(
    message,
    'list',
    'page through the whole thread as OpenTrain has it (needs OPENTRAIN_API_TOKEN)',
  )
    .option('--cursor <messageId>', "continue after this message (the previous page's next cursor)")
    .option('--direction <older|newer>', 'older (default): newest first; newer: oldest first')
    .option('--limit <n>', 'messages per page (1–100)', toNumber)
    .option('--all', 'follow the cursor to the end of the thread')
    .action(async (engagementId: string, options: ListOptions) => {
      const id = engagementIdArg(engagementId);
      const query = parseInput(
        threadPageQuerySchema,
        { cursor: options.cursor, direction: options.direction, limit: options.limit },
        'message list',
      );
      const { messages, nextCursor } = await withEngagements(io, async (e) => {
        const all: ThreadMessage[] = [];
        let page = await e.listMessages(id, query);
        all.push(...page.messages);
        while (options.all && page.nextCursor) {
          page = await e.listMessages(id, { ...query, cursor: page.nextCursor });
          all.push(...page.messages);
        }
        return { messages: all, nextCursor: page.nextCursor };
      });
      output(io, options, { engagementId: id, messages, nextCursor }, () =>
        [
          ...(messages.length ? messages.map(renderThreadMessage) : ['(no messages)']),
          ...(nextCursor ? [`more: engagements message list ${id} --cursor ${nextCursor}`] : []),
        ].join('\n'),
      );
    });
}
