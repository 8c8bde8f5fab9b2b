import { z } from 'zod';
import { usdAmountSchema, usdToCents } from '../domain/money';
import { badRequest } from './errors';
import type { HireTerms } from './model';

/**
 * Date-only inputs come back as midnight UTC (docs/opentrain-api.md#conventions); full ISO timestamps are
 * normalised to UTC with ms.
 */
export const dueDateSchema = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], { error: 'must be an ISO 8601 date' })
  .transform((value) => new Date(value.length === 10 ? `${value}T00:00:00.000Z` : value).toISOString());

const nameSchema = z.string().max(200, { error: 'must be at most 200 characters' });
const descriptionSchema = z.string().max(10_000, { error: 'must be at most 10,000 characters' });

const hasText = (value: string | null | undefined): boolean => !!value && value.trim().length > 0;

/** `POST /proposals/{id}/hire` body (docs/opentrain-api.md#hire). */
export const hireBodySchema = z.object({
  milestone: z
    .object({
      name: nameSchema.optional(),
      description: descriptionSchema.optional(),
      amount: usdAmountSchema,
      dueDate: dueDateSchema.optional(),
    })
    .refine((m) => hasText(m.name) || hasText(m.description), {
      path: ['description'],
      error: 'name or description must be non-empty',
    }),
  confirmNotFitOverride: z.boolean().optional(),
});
export type HireBody = z.infer<typeof hireBodySchema>;

export function termsFromBody(milestone: HireBody['milestone']): HireTerms {
  return {
    name: milestone.name ?? null,
    description: milestone.description ?? null,
    amountCents: usdToCents(milestone.amount),
    dueDate: milestone.dueDate ?? null,
  };
}

export function sameTerms(a: HireTerms, b: HireTerms): boolean {
  return (
    a.name === b.name &&
    a.description === b.description &&
    a.amountCents === b.amountCents &&
    a.dueDate === b.dueDate
  );
}

/** What the human may change on a hire before confirming; omitted fields keep the agent's terms. */
export const hireEditsSchema = z.object({
  amount: usdAmountSchema.optional(),
  name: nameSchema.optional(),
  description: descriptionSchema.optional(),
  dueDate: dueDateSchema.nullable().optional(),
});
export type HireEdits = z.infer<typeof hireEditsSchema>;

/**
 * The human's values win (docs/opentrain-api.md#approval-lifecycle); the result must still name the milestone
 * somehow.
 */
export function applyEdits(terms: HireTerms, edits: HireEdits | undefined): HireTerms {
  const edited: HireTerms = {
    name: edits?.name !== undefined ? edits.name : terms.name,
    description: edits?.description !== undefined ? edits.description : terms.description,
    amountCents: edits?.amount !== undefined ? usdToCents(edits.amount) : terms.amountCents,
    dueDate: edits?.dueDate !== undefined ? edits.dueDate : terms.dueDate,
  };
  if (!hasText(edited.name) && !hasText(edited.description)) {
    throw badRequest('milestone.description', 'The milestone needs a name or a description.');
  }
  return edited;
}
