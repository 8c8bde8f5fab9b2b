import { z } from 'zod';
import { engagementWorkflowId } from './ids';
import { formatCents, hireChargeCents, usdAmountSchema, usdToCents } from './money';
import { engagementPolicySchema } from './policy';
import { fieldsValid } from './validation';

/**
 * Zod schemas of everything our users send: the workflow input, its updates and signals. The same schemas
 * validate at every edge (client library, CLI, HTTP API) and again in the workflow's update validators.
 */

/** OpenTrain ids (proposals, milestones, approvals) as callers send them. */
export const ID_MAX_LENGTH = 200;
const idSchema = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(ID_MAX_LENGTH, { error: `must be at most ${ID_MAX_LENGTH} characters` });

const ENGAGEMENT_ID_PREFIX = engagementWorkflowId('');
/** `engagement-` and a proposal id: the longest path parameter the HTTP router must let through. */
export const ENGAGEMENT_ID_MAX_LENGTH = ENGAGEMENT_ID_PREFIX.length + ID_MAX_LENGTH;

export const engagementIdSchema = z
  .string()
  .trim()
  .regex(/^engagement-.+/, { error: 'must be an engagement id like engagement-<proposalId>' })
  .max(ENGAGEMENT_ID_MAX_LENGTH, {
    error: `must be at most ${ENGAGEMENT_ID_MAX_LENGTH} characters (engagement- and the proposal id)`,
  });

/** `YYYY-MM-DD` or a full ISO 8601 UTC timestamp; OpenTrain stores midnight UTC for a date. */
export const dueDateSchema = z.union([z.iso.date(), z.iso.datetime()], {
  error: 'must be a date YYYY-MM-DD or an ISO 8601 timestamp',
});

const nameSchema = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(200, { error: 'must be at most 200 characters' });
const descriptionSchema = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(10_000, { error: 'must be at most 10,000 characters' });

export const firstMilestoneSchema = z
  .object({
    name: nameSchema.optional(),
    description: descriptionSchema.optional(),
    amountUsd: usdAmountSchema,
    dueDate: dueDateSchema.optional(),
  })
  .refine((m) => Boolean(m.name || m.description), {
    error: 'a name or a description is required',
    path: ['description'],
    when: ({ value }) =>
      fieldsValid(value, [
        [['name'], nameSchema.optional()],
        [['description'], descriptionSchema.optional()],
      ]),
  });
export type FirstMilestone = z.infer<typeof firstMilestoneSchema>;

export { engagementPolicySchema } from './policy';
export type { EngagementPolicy } from './policy';

/**
 * The hire charge the budget must cover, checked here so every door refuses it before a workflow starts; the
 * workflow's own start parses with this same schema.
 */
export const engagementInputSchema = z
  .object({
    proposalId: idSchema,
    firstMilestone: firstMilestoneSchema,
    budgetUsd: usdAmountSchema.optional(),
    confirmNotFitOverride: z.boolean().optional(),
    policy: engagementPolicySchema.optional(),
  })
  .superRefine(
    ({ firstMilestone, budgetUsd }, ctx) => {
      const chargeCents = hireChargeCents(usdToCents(firstMilestone.amountUsd));
      if (budgetUsd === undefined || chargeCents <= usdToCents(budgetUsd)) return;
      ctx.addIssue({
        code: 'custom',
        path: ['budgetUsd'],
        message: `must cover the hire charge of ${formatCents(chargeCents)} (first milestone + 10% + $9.95)`,
      });
    },
    {
      when: ({ value }) =>
        fieldsValid(value, [
          [['firstMilestone', 'amountUsd'], usdAmountSchema],
          [['budgetUsd'], usdAmountSchema.optional()],
        ]),
    },
  );
/** What callers pass (defaults not yet applied). */
export type EngagementInput = z.input<typeof engagementInputSchema>;

export const addMilestoneInputSchema = z.object({
  name: nameSchema.optional(),
  description: descriptionSchema,
  amountUsd: usdAmountSchema,
  dueDate: dueDateSchema.optional(),
  /** Request funding right after creating it. */
  fund: z.boolean().optional(),
});
export type AddMilestoneInput = z.infer<typeof addMilestoneInputSchema>;

export const milestoneRefSchema = z.object({ milestoneId: idSchema });
export type MilestoneRef = z.infer<typeof milestoneRefSchema>;

export const endContractInputSchema = z.object({});
export type EndContractInput = z.infer<typeof endContractInputSchema>;

export const retryInputSchema = z
  .object({ approvalId: idSchema.optional(), milestoneId: idSchema.optional() })
  .refine((r) => Boolean(r.approvalId || r.milestoneId), {
    error: 'give the approvalId or the milestoneId to retry',
    path: ['approvalId'],
    when: ({ value }) =>
      fieldsValid(value, [
        [['approvalId'], idSchema.optional()],
        [['milestoneId'], idSchema.optional()],
      ]),
  });
export type RetryInput = z.infer<typeof retryInputSchema>;

export const confirmNotFitInputSchema = z.object({});
export type ConfirmNotFitInput = z.infer<typeof confirmNotFitInputSchema>;

export const recheckPreconditionsInputSchema = z.object({});
export type RecheckPreconditionsInput = z.infer<typeof recheckPreconditionsInputSchema>;

/** Sent by event ingestion when OpenTrain reports an approval's terminal state. `status` stays an open string. */
export const approvalResolvedSchema = z.object({ approvalId: idSchema, status: z.string().min(1) });
export type ApprovalResolved = z.infer<typeof approvalResolvedSchema>;

/** Any other OpenTrain event routed to an engagement (milestone and contract events): a hint to re-read. */
export const openTrainEventNoticeSchema = z.object({
  eventId: z.string(),
  type: z.string(),
  resourceId: z.string().nullable().optional(),
  contractId: z.string().optional(),
  milestoneId: z.string().optional(),
  /** `milestone.status_changed`: the new status (the feed passes `data.status` on). */
  status: z.string().optional(),
});
export type OpenTrainEventNotice = z.infer<typeof openTrainEventNoticeSchema>;

/** `message.received` routed to an engagement by its thread (`conversationId`): a hint to read the thread. */
export const messageReceivedNoticeSchema = z.object({
  conversationId: z.string().min(1),
  messageId: z.string().optional(),
  eventId: z.string().optional(),
});
export type MessageReceivedNotice = z.infer<typeof messageReceivedNoticeSchema>;
