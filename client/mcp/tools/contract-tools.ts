import { z } from 'zod';
import { engagementStateSchema } from '../../../domain/engagement-view';
import { retryInputSchema } from '../../../domain/inputs';
import { TERMINAL_PHASES } from '../../../domain/phases';
import { engagementIdSchema } from '../../engagement-client';
import { defineTool, idempotencyKeyField, mutating, toolInput } from '../tool';
import { afterMutation } from './after-mutation';

const engagementId = engagementIdSchema.describe('The engagement, engagement-<proposalId>');

export const endContract = defineTool({
  name: 'end_contract',
  title: 'End the contract',
  description:
    'End the contract. Without funded milestones it ends at once; otherwise the human co-signs the end (escrow ' +
    'is refunded). Refused while fund or release requests are still open.',
  input: toolInput({ engagementId, idempotencyKey: idempotencyKeyField }),
  output: engagementStateSchema,
  annotations: mutating(true),
  async run(args, ctx) {
    const state = await ctx.engagements.end(args.engagementId, { idempotencyKey: args.idempotencyKey });
    const summary = TERMINAL_PHASES.includes(state.phase) ? 'The contract has ended.' : 'End requested.';
    return afterMutation(ctx, args.engagementId, summary, state);
  },
});

export const retry = defineTool({
  name: 'retry',
  title: 'Ask again for a parked approval',
  description:
    'Ask the human again for an approval that expired past the retry limit or was declined (it is parked). ' +
    'Give its approvalId or its milestoneId.',
  input: toolInput({ engagementId, ...retryInputSchema.shape, idempotencyKey: idempotencyKeyField }),
  output: engagementStateSchema,
  annotations: mutating(true),
  async run({ engagementId: id, idempotencyKey, ...input }, ctx) {
    const state = await ctx.engagements.retry(id, input, { idempotencyKey });
    return afterMutation(ctx, id, 'Asked again.', state);
  },
});

export const recheckPreconditions = defineTool({
  name: 'recheck_preconditions',
  title: 'Check the preconditions again',
  description:
    'After the human fixed a blocker (claimed the account, added a card, granted a scope): check again now ' +
    'instead of at the next interval. Fire-and-forget; call wait_for_engagement to see the result.',
  input: toolInput({ engagementId, idempotencyKey: idempotencyKeyField }),
  output: z.object({ engagementId: z.string(), accepted: z.literal(true) }),
  annotations: mutating(false),
  async run(args, ctx) {
    await ctx.engagements.recheckPreconditions(args.engagementId, { idempotencyKey: args.idempotencyKey });
    return {
      text: `Recheck of ${args.engagementId} requested; call wait_for_engagement for the outcome.`,
      structured: { engagementId: args.engagementId, accepted: true },
    };
  },
});

export const confirmNotFit = defineTool({
  name: 'confirm_not_fit',
  title: 'Hire despite "Not a fit"',
  description:
    'The proposal was marked "Not a fit": confirm the hire anyway (only when the human wants this trainer).',
  input: toolInput({ engagementId, idempotencyKey: idempotencyKeyField }),
  output: engagementStateSchema,
  annotations: mutating(false),
  async run(args, ctx) {
    const state = await ctx.engagements.confirmNotFit(args.engagementId, {
      idempotencyKey: args.idempotencyKey,
    });
    return afterMutation(ctx, args.engagementId, 'Confirmed: the hire goes ahead.', state);
  },
});
