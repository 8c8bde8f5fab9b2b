import { z } from 'zod';
import { usdAmountSchema } from './money';

/**
 * Zod schemas of everything our users send: the workflow input, its updates and signals. The same schemas
 * validate at every edge (client library, CLI, HTTP API) and again in the workflow's update validators.
 */

const HOUR_MS = 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;

const idSchema = z.string().trim().min(1, { error: 'must not be empty' }).max(200);

/** `YYYY-MM-DD` or a full ISO 8601 UTC timestamp; OpenTrain stores midnight UTC for a date. */
export const dueDateSchema = z.union([z.iso.date(), z.iso.datetime()], {
  error: 'must be a date YYYY-MM-DD or an ISO 8601 timestamp',
});

const nameSchema = z.string().trim().min(1, { error: 'must not be empty' }).max(200);
const descriptionSchema = z.string().trim().min(1, { error: 'must not be empty' }).max(10_000);

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
  });
export type FirstMilestone = z.infer<typeof firstMilestoneSchema>;

export const engagementPolicySchema = z.object({
  /** How long before `expiresAt` the human is reminded. */
  reminderOffsetsMs: z
    .array(z.number().int().positive())
    .max(10)
    .default([24 * HOUR_MS, 4 * HOUR_MS]),
  /** How many times an expired approval is requested again before the item is parked until `retry`. */
  maxReRequestsAfterExpiry: z.number().int().min(0).max(20).default(2),
  /** Fallback polling of `GET /approvals/{id}`: starts at the minimum, doubles up to the maximum. */
  pollIntervalMinMs: z
    .number()
    .int()
    .positive()
    .default(5 * MINUTE_MS),
  pollIntervalMaxMs: z
    .number()
    .int()
    .positive()
    .default(6 * HOUR_MS),
  preconditionRecheckMs: z
    .number()
    .int()
    .positive()
    .default(15 * MINUTE_MS),
  /** Continue-as-new once history passes this many events, even if the server has not suggested it yet. */
  continueAsNewAfterEvents: z.number().int().positive().default(8_000),
});
export type EngagementPolicy = z.infer<typeof engagementPolicySchema>;

export const engagementInputSchema = z.object({
  proposalId: idSchema,
  firstMilestone: firstMilestoneSchema,
  budgetUsd: usdAmountSchema.optional(),
  confirmNotFitOverride: z.boolean().optional(),
  policy: engagementPolicySchema.partial().optional(),
});
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
});
export type OpenTrainEventNotice = z.infer<typeof openTrainEventNoticeSchema>;
