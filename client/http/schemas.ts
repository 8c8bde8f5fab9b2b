import { z } from 'zod';
import { engagementIdSchema, engagementSummarySchema, listFilterSchema } from '../engagement-client';
import { milestoneRefSchema } from '../../domain/inputs';
import { decimalNumber } from '../../domain/validation';

/** HTTP-only shapes; request bodies reuse the domain's input schemas unchanged. */

export const errorBodySchema = z.object({
  error: z.string(),
  code: z.string(),
  /** Every bad field, for 400s. */
  fields: z.array(z.object({ in: z.string().optional(), path: z.string(), message: z.string() })).optional(),
  /** The workflow's own words, for 409/422. */
  reason: z.string().optional(),
  /** The workflow's failure type (a guard such as `budget_exceeded`, or OpenTrain's `details.reason`), for 409/422. */
  failureType: z.string().optional(),
  /** Structured facts attached by the workflow, e.g. `billingUrl` or the `createdMilestone`, for 409/422. */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

export const engagementParamsSchema = z.object({ id: engagementIdSchema });
export const milestoneParamsSchema = z.object({
  id: engagementIdSchema,
  milestoneId: milestoneRefSchema.shape.milestoneId,
});

/** The library's list filter, read from query strings: hours in plain decimal notation only (not `0x10`). */
export const listQuerySchema = z.object({
  phase: listFilterSchema.shape.phase,
  expiringWithinHours: z
    .string()
    .transform(decimalNumber)
    .pipe(listFilterSchema.shape.expiringWithinHours.unwrap())
    .optional(),
});

export const auditQuerySchema = z.object({ format: z.enum(['json', 'csv']).optional() });

export const listResponseSchema = z.object({ engagements: z.array(engagementSummarySchema) });
export const startedResponseSchema = z.object({ engagementId: z.string() });
export const acceptedResponseSchema = z.object({ engagementId: z.string(), accepted: z.literal(true) });

export const errorResponses = {
  400: errorBodySchema,
  401: errorBodySchema,
  404: errorBodySchema,
  409: errorBodySchema,
  422: errorBodySchema,
};

/** POST routes: a reused Idempotency-Key is one more reason for 422. */
export const mutationErrorResponses = {
  422: errorBodySchema.describe(
    'Refused: `idempotency_key_mismatch` (this Idempotency-Key was used with another body or arguments), ' +
      'or the workflow called the input invalid',
  ),
};
