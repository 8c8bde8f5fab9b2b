import { milestoneViewSchema } from '../../../domain/engagement-view';
import type { MilestoneView } from '../../../domain/engagement-view';
import { addMilestoneInputSchema, milestoneRefSchema } from '../../../domain/inputs';
import { engagementIdSchema } from '../../engagement-client';
import { defineTool, idempotencyKeyField, mutating, toolInput } from '../tool';
import { afterMutation } from './after-mutation';

const engagementId = engagementIdSchema.describe('The engagement, engagement-<proposalId>');
const milestoneId = milestoneRefSchema.shape.milestoneId.describe("The milestone's OpenTrain id");

const describe = (m: MilestoneView) => `Milestone ${m.id} ($${m.amountUsd.toFixed(2)}) is ${m.status}.`;

export const addMilestone = defineTool({
  name: 'add_milestone',
  title: 'Add a milestone',
  description:
    'Add a milestone to the active contract; with fund: true its funding is requested from the human right away.',
  input: toolInput({ engagementId, ...addMilestoneInputSchema.shape, idempotencyKey: idempotencyKeyField }),
  output: milestoneViewSchema,
  annotations: mutating(false),
  async run({ engagementId: id, idempotencyKey, ...input }, ctx) {
    const milestone = await ctx.engagements.addMilestone(id, input, { idempotencyKey });
    return afterMutation(ctx, id, `Added. ${describe(milestone)}`, milestone);
  },
});

export const fundMilestone = defineTool({
  name: 'fund_milestone',
  title: 'Fund a milestone',
  description:
    'Ask the human to co-sign funding a milestone into escrow (amount + 10% fee). Answers once it is requested.',
  input: toolInput({ engagementId, milestoneId, idempotencyKey: idempotencyKeyField }),
  output: milestoneViewSchema,
  annotations: mutating(true),
  async run(args, ctx) {
    const milestone = await ctx.engagements.fundMilestone(args.engagementId, args.milestoneId, {
      idempotencyKey: args.idempotencyKey,
    });
    return afterMutation(ctx, args.engagementId, `Funding requested. ${describe(milestone)}`, milestone);
  },
});

export const releaseMilestone = defineTool({
  name: 'release_milestone',
  title: 'Release a milestone',
  description:
    'Ask the human to co-sign paying a funded milestone out to the trainer. Answers once it is requested.',
  input: toolInput({ engagementId, milestoneId, idempotencyKey: idempotencyKeyField }),
  output: milestoneViewSchema,
  annotations: mutating(true),
  async run(args, ctx) {
    const milestone = await ctx.engagements.releaseMilestone(args.engagementId, args.milestoneId, {
      idempotencyKey: args.idempotencyKey,
    });
    return afterMutation(ctx, args.engagementId, `Release requested. ${describe(milestone)}`, milestone);
  },
});
