import { z } from 'zod';
import {
  addMilestoneInputSchema,
  ENGAGEMENT_ID_MAX_LENGTH,
  engagementIdSchema,
  engagementInputSchema,
  ID_MAX_LENGTH,
  retryInputSchema,
} from '../../domain/inputs';
import { decimalNumber, fieldIssues, rejectingUnknownKeys } from '../../domain/validation';

const strictStart = rejectingUnknownKeys(engagementInputSchema);
const valid = {
  proposalId: 'prp_1',
  firstMilestone: { name: 'Pilot', amountUsd: 120 },
  policy: { pollIntervalMinMs: 60_000 },
};
const issuesOf = (schema: z.ZodType, value: unknown) => {
  const result = schema.safeParse(value);
  return result.success ? [] : fieldIssues(result.error);
};

describe('rejectingUnknownKeys: the doors refuse keys the schema does not know', () => {
  it('names every unknown key at its own path, at any depth', () => {
    const input = {
      ...valid,
      extra: 1,
      firstMilestone: { ...valid.firstMilestone, amountUSD: 5 },
      policy: { pollIntervalMS: 60_000 },
    };
    expect(issuesOf(strictStart, input)).toEqual([
      { path: 'firstMilestone.amountUSD', message: 'is not a known field' },
      { path: 'policy.pollIntervalMS', message: 'is not a known field' },
      { path: 'extra', message: 'is not a known field' },
    ]);
    // The original, which the workflow uses, still drops them: what it accepted once always replays.
    expect(engagementInputSchema.safeParse(input).success).toBe(true);
  });

  it('parses valid input to exactly what the original gives, checks and defaults included', () => {
    expect(strictStart.parse(valid)).toEqual(engagementInputSchema.parse(valid));
    expect(issuesOf(strictStart, { ...valid, budgetUsd: 100 })).toEqual(
      issuesOf(engagementInputSchema, { ...valid, budgetUsd: 100 }),
    );
    const strictRetry = rejectingUnknownKeys(retryInputSchema);
    expect(issuesOf(strictRetry, {})).toEqual([
      { path: 'approvalId', message: 'give the approvalId or the milestoneId to retry' },
    ]);
    expect(
      issuesOf(rejectingUnknownKeys(addMilestoneInputSchema), { description: 'x', amountUsd: 1, fnd: true }),
    ).toEqual([{ path: 'fnd', message: 'is not a known field' }]);
  });

  it('still makes a fresh default on every parse', () => {
    const first = strictStart.parse(valid);
    first.policy?.reminderOffsetsMs.push(1);
    expect(strictStart.parse(valid).policy?.reminderOffsetsMs).toEqual([86_400_000, 14_400_000]);
  });

  it('documents "nothing else" in the JSON Schema the OpenAPI document is made from', () => {
    const doc = z.toJSONSchema(strictStart, { io: 'input' }) as unknown as {
      additionalProperties: unknown;
      properties: { firstMilestone: { additionalProperties: unknown } };
    };
    expect(doc.additionalProperties).toEqual({ not: {} });
    expect(doc.properties.firstMilestone.additionalProperties).toEqual({ not: {} });
  });
});

describe('ids', () => {
  it('allow 200 characters for an OpenTrain id and engagement- plus 200 for an engagement id', () => {
    const proposalId = 'p'.repeat(ID_MAX_LENGTH);
    expect(issuesOf(engagementInputSchema, { ...valid, proposalId })).toEqual([]);
    expect(issuesOf(engagementInputSchema, { ...valid, proposalId: `${proposalId}x` })).toEqual([
      { path: 'proposalId', message: 'must be at most 200 characters' },
    ]);
    expect(ENGAGEMENT_ID_MAX_LENGTH).toBe(211);
    expect(engagementIdSchema.safeParse(`engagement-${proposalId}`).success).toBe(true);
    expect(engagementIdSchema.safeParse(`engagement-${proposalId}x`).success).toBe(false);
  });
});

describe('decimalNumber: command-line and query-string numbers', () => {
  it.each([
    ['12', 12],
    ['12.50', 12.5],
    ['-3', -3],
    ['.5', 0.5],
    ['7.', 7],
  ])('reads %p as %p', (text, value) => {
    expect(decimalNumber(text)).toBe(value);
  });

  it.each(['0x10', '0b1', '0o7', '1e3', '', ' ', ' 12', '12 ', 'Infinity', 'NaN', '1,5', '--1', '1.2.3'])(
    'refuses %p (NaN)',
    (text) => {
      expect(decimalNumber(text)).toBeNaN();
    },
  );
});
