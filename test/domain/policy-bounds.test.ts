import fc from 'fast-check';
import { engagementInputSchema } from '../../domain/inputs';
import { hireChargeCents } from '../../domain/money';
import {
  engagementPolicySchema,
  POLICY_BOUNDS,
  POLICY_DEFAULTS,
  worstCaseOpenTrainCallsPerHour,
} from '../../domain/policy';
import type { EngagementPolicy } from '../../domain/policy';
import { fieldIssues } from '../../domain/validation';

const issues = (value: unknown) => {
  const result = engagementPolicySchema.safeParse(value);
  return result.success ? [] : fieldIssues(result.error);
};
const paths = (value: unknown) => issues(value).map((i) => i.path);

type ScalarField = Exclude<keyof typeof POLICY_BOUNDS, 'reminderOffsetsMs'>;
const SCALAR_FIELDS = Object.keys(POLICY_BOUNDS).filter((k) => k !== 'reminderOffsetsMs') as ScalarField[];

/** The most hostile policy the schema accepts: every interval at its minimum, every count at its maximum. */
const HOSTILE: EngagementPolicy = engagementPolicySchema.parse({
  reminderOffsetsMs: Array.from({ length: POLICY_BOUNDS.reminderOffsetsMs.maxCount }, (_, i) => i + 1),
  maxReRequestsAfterExpiry: POLICY_BOUNDS.maxReRequestsAfterExpiry.max,
  pollIntervalMinMs: POLICY_BOUNDS.pollIntervalMinMs.min,
  pollIntervalMaxMs: POLICY_BOUNDS.pollIntervalMaxMs.min,
  preconditionRecheckMs: POLICY_BOUNDS.preconditionRecheckMs.min,
  continueAsNewAfterEvents: POLICY_BOUNDS.continueAsNewAfterEvents.min,
  contractRecheckMs: POLICY_BOUNDS.contractRecheckMs.min,
});

describe('policy bounds', () => {
  it('defaults every field, inside its bounds', () => {
    expect(engagementPolicySchema.parse({})).toEqual(POLICY_DEFAULTS);
  });

  it('refuses the policy that made a workflow continue-as-new every second, naming each field', () => {
    const result = issues({
      preconditionRecheckMs: 1,
      continueAsNewAfterEvents: 1,
      pollIntervalMinMs: 1,
      pollIntervalMaxMs: 1,
    });
    expect(result).toEqual([
      { path: 'pollIntervalMinMs', message: 'must be at least 5000 ms (5 seconds)' },
      { path: 'pollIntervalMaxMs', message: 'must be at least 5000 ms (5 seconds)' },
      { path: 'preconditionRecheckMs', message: 'must be at least 60000 ms (1 minute)' },
      { path: 'continueAsNewAfterEvents', message: 'must be at least 1000 events' },
    ]);
  });

  it.each(SCALAR_FIELDS)('%s: accepts its bounds, refuses one past them and fractions', (field) => {
    const { min, max } = POLICY_BOUNDS[field];
    // The poll interval bounds must also keep min <= max, so the other one goes along.
    const with_ = (value: number) =>
      field === 'pollIntervalMinMs'
        ? {
            pollIntervalMinMs: value,
            pollIntervalMaxMs: Math.max(value, POLICY_BOUNDS.pollIntervalMaxMs.min),
          }
        : field === 'pollIntervalMaxMs'
          ? {
              pollIntervalMaxMs: value,
              pollIntervalMinMs: Math.min(value, POLICY_BOUNDS.pollIntervalMinMs.max),
            }
          : { [field]: value };
    expect(paths(with_(min))).toEqual([]);
    expect(paths(with_(max))).toEqual([]);
    expect(paths({ ...with_(min), [field]: min - 1 })).toContain(field);
    expect(paths({ ...with_(max), [field]: max + 1 })).toContain(field);
    expect(paths({ ...with_(min), [field]: min + 0.5 })).toContain(field);
    expect(paths({ [field]: String(min) })).toEqual([field]);
  });

  it('caps the reminders: at most 10, each between 1 ms and 7 days', () => {
    const { min, max, maxCount } = POLICY_BOUNDS.reminderOffsetsMs;
    expect(paths({ reminderOffsetsMs: [min, max] })).toEqual([]);
    expect(paths({ reminderOffsetsMs: Array.from({ length: maxCount + 1 }, () => 1000) })).toEqual([
      'reminderOffsetsMs',
    ]);
    expect(paths({ reminderOffsetsMs: [min - 1, 5, max + 1] })).toEqual([
      'reminderOffsetsMs.0',
      'reminderOffsetsMs.2',
    ]);
  });

  it('refuses a minimum poll interval above the maximum, given or defaulted', () => {
    const reason = 'must not be greater than pollIntervalMaxMs (given, or its default)';
    expect(issues({ pollIntervalMinMs: 60_000, pollIntervalMaxMs: 30_000 })).toEqual([
      { path: 'pollIntervalMinMs', message: reason },
    ]);
    expect(issues({ pollIntervalMinMs: POLICY_DEFAULTS.pollIntervalMaxMs + 1 })).toEqual([
      { path: 'pollIntervalMinMs', message: reason },
    ]);
    expect(paths({ pollIntervalMinMs: 60_000, pollIntervalMaxMs: 60_000 })).toEqual([]);
    // Named together with an unrelated bad field, and silent while one of the two is itself malformed.
    expect(
      paths({ pollIntervalMinMs: 60_000, pollIntervalMaxMs: 30_000, maxReRequestsAfterExpiry: -1 }),
    ).toEqual(['maxReRequestsAfterExpiry', 'pollIntervalMinMs']);
    expect(paths({ pollIntervalMinMs: 60_000, pollIntervalMaxMs: 'x' })).toEqual(['pollIntervalMaxMs']);
  });
});

describe('worst-case OpenTrain calls per hour', () => {
  it('is bounded at the schema extremes: about a thousand calls an hour with one approval waiting', () => {
    // Hire: 61 recheck cycles x 3; contract: 61 + 61 reads; approval: 721 polls + 21 expiries x 4.
    expect(worstCaseOpenTrainCallsPerHour(HOSTILE, 0)).toBe(61 * 3 + 61 + 61);
    expect(worstCaseOpenTrainCallsPerHour(HOSTILE, 1)).toBe(61 * 3 + 61 + 61 + 721 + 21 * 4);
    // The default policy costs a small fraction of it.
    expect(worstCaseOpenTrainCallsPerHour(engagementPolicySchema.parse({}), 1)).toBe(
      5 * 3 + (5 + 1) + 13 + 3 * 4,
    );
  });

  it('no accepted policy costs more than the hostile one', () => {
    const within = <K extends ScalarField>(field: K) =>
      fc.integer({ min: POLICY_BOUNDS[field].min, max: POLICY_BOUNDS[field].max });
    const policies = fc
      .record({
        maxReRequestsAfterExpiry: within('maxReRequestsAfterExpiry'),
        pollIntervalMinMs: within('pollIntervalMinMs'),
        pollIntervalMaxMs: within('pollIntervalMaxMs'),
        preconditionRecheckMs: within('preconditionRecheckMs'),
        continueAsNewAfterEvents: within('continueAsNewAfterEvents'),
        contractRecheckMs: within('contractRecheckMs'),
      })
      .map((p) => engagementPolicySchema.safeParse(p))
      .filter((parsed) => parsed.success)
      .map((parsed) => parsed.data as EngagementPolicy);
    fc.assert(
      fc.property(policies, fc.integer({ min: 0, max: 50 }), (policy, waiting) => {
        expect(worstCaseOpenTrainCallsPerHour(policy, waiting)).toBeLessThanOrEqual(
          worstCaseOpenTrainCallsPerHour(HOSTILE, waiting),
        );
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('the budget must cover the hire charge, at every door and at the workflow start', () => {
  const input = (amountUsd: unknown, budgetUsd: unknown) => ({
    proposalId: 'prp_x',
    firstMilestone: { name: 'Pilot', amountUsd },
    budgetUsd,
  });
  const budgetIssues = (amountUsd: unknown, budgetUsd: unknown) => {
    const result = engagementInputSchema.safeParse(input(amountUsd, budgetUsd));
    return result.success ? [] : fieldIssues(result.error);
  };

  it('accepts a budget of exactly the hire charge and refuses one cent less, naming budgetUsd', () => {
    expect(hireChargeCents(120_00)).toBe(141_95);
    expect(budgetIssues(120, 141.95)).toEqual([]);
    expect(budgetIssues(120, 141.94)).toEqual([
      { path: 'budgetUsd', message: 'must cover the hire charge of $141.95 (first milestone + 10% + $9.95)' },
    ]);
    // The case of the issue: 201 Created, then a failed workflow.
    expect(budgetIssues(120, 100).map((i) => i.path)).toEqual(['budgetUsd']);
    expect(budgetIssues(120, undefined)).toEqual([]);
  });

  it('judges the budget only once both amounts are valid, alongside any other bad field', () => {
    expect(budgetIssues(1.234, 1).map((i) => i.path)).toEqual(['firstMilestone.amountUsd']);
    expect(budgetIssues(120, 0.001).map((i) => i.path)).toEqual(['budgetUsd']);
    const both = engagementInputSchema.safeParse({ ...input(120, 100), proposalId: '' });
    expect(both.success || fieldIssues(both.error).map((i) => i.path)).toEqual(['proposalId', 'budgetUsd']);
  });

  it('never throws on garbage: every cross-field rule runs only on fields that parsed', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        expect(() => engagementInputSchema.safeParse(value)).not.toThrow();
        expect(() => engagementInputSchema.safeParse({ firstMilestone: value, budgetUsd: 5 })).not.toThrow();
        expect(() => engagementPolicySchema.safeParse(value)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});
