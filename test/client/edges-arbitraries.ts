import fc from 'fast-check';
import { hireChargeCents, MAX_USD_AMOUNT } from '../../domain/money';
import { POLICY_BOUNDS } from '../../domain/policy';

/**
 * Generators for the edge property tests: valid inputs of every kind, and corruptions that each make exactly one
 * field invalid, so a test knows which field the answer must name.
 */

export type Json = Record<string, unknown>;

/** One field made invalid: `path` is what the answer must name; `touches` is what it depends on. */
export interface Corruption {
  path: string[];
  apply(input: Json): void;
  touches: string[][];
  kind: string;
}

const REMOVE = Symbol('remove');

function setAt(root: Json, path: string[], value: unknown): void {
  let node = root;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null || Array.isArray(node[key])) node[key] = {};
    node = node[key] as Json;
  }
  const last = path[path.length - 1] as string;
  if (value === REMOVE) delete node[last];
  // An own property even for `__proto__`, as JSON.parse makes it.
  else Object.defineProperty(node, last, { value, enumerable: true, writable: true, configurable: true });
}

/** Sets `path` to `value` (or removes it): the answer must name `path`. */
const at =
  (path: string[], kind: string) =>
  (value: unknown): Corruption => ({
    path,
    kind,
    touches: [path],
    apply: (input) => setAt(input, path, value),
  });

// ------------------------------------------------------------------ values that are invalid on their own

const notAString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}));
const notANumber = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant([1]),
  fc.constant({}),
);
const blank = fc.constantFrom('', ' ', '\t\n  ');
const tooLong = (max: number) => fc.integer({ min: max + 1, max: max + 80 }).map((n) => 'x'.repeat(n));

export const badId = fc.oneof(notAString, blank, tooLong(200));
const badName = fc.oneof(notAString, blank, tooLong(200));
const badDescription = fc.oneof(notAString, blank);
export const badAmount = fc.oneof(
  notANumber,
  fc.constantFrom(0, -0, 1e-9, 5e-324, 0.001, 1.005, 0.1 + 0.2, MAX_USD_AMOUNT + 0.01, 1e21),
  fc.integer({ min: -1e6, max: -1 }),
  // A whole number of tenths of a cent: always a third decimal.
  fc.integer({ min: 1, max: 1e8 }).map((c) => (c * 10 + 5) / 1000),
  fc.double({ min: MAX_USD_AMOUNT * 1.0001, max: 1e300, noNaN: true }),
);
const badDate = fc.oneof(notAString, fc.constantFrom('2026-1-1', '2026-02-30', 'tomorrow', '', '01/03/2026'));
const notABoolean = fc.oneof(fc.constantFrom('true', 'yes', 1, 0, null), fc.constant({}));
const notAnObject = fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant(null), fc.constant([1]));

function outOfBounds(bounds: { min: number; max: number }) {
  return fc.oneof(
    fc.integer({ min: bounds.min - 1_000_000, max: bounds.min - 1 }),
    fc.integer({ min: bounds.max + 1, max: bounds.max * 10 }),
    fc.constant(bounds.min + 0.5),
    notANumber,
  );
}

// ------------------------------------------------------------------ valid inputs

const cents = fc.integer({ min: 1, max: MAX_USD_AMOUNT * 100 });
const usd = cents.map((c) => c / 100);
const id = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9_]{0,30}$/), fc.constant('p'.repeat(200)));
const text = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 ,.]{0,40}$/);
const date = fc.constantFrom('2026-03-01', '2026-12-31T12:00:00Z');

const validPolicy = fc.record(
  {
    maxReRequestsAfterExpiry: fc.integer(POLICY_BOUNDS.maxReRequestsAfterExpiry),
    preconditionRecheckMs: fc.integer(POLICY_BOUNDS.preconditionRecheckMs),
    continueAsNewAfterEvents: fc.integer(POLICY_BOUNDS.continueAsNewAfterEvents),
    reminderOffsetsMs: fc.array(fc.integer(POLICY_BOUNDS.reminderOffsetsMs), { maxLength: 10 }),
    pollIntervalMinMs: fc.constant(POLICY_BOUNDS.pollIntervalMinMs.min),
  },
  { requiredKeys: [] },
);

export const validStart: fc.Arbitrary<Json> = fc
  .record({
    proposalId: id,
    name: fc.option(text, { nil: undefined }),
    description: fc.option(text, { nil: undefined }),
    amountCents: cents,
    spareCents: fc.option(fc.integer({ min: 0, max: 10_000_00 }), { nil: undefined }),
    dueDate: fc.option(date, { nil: undefined }),
    policy: fc.option(validPolicy, { nil: undefined }),
  })
  .map(({ proposalId, name, description, amountCents, spareCents, dueDate, policy }) => {
    const budgetCents = spareCents === undefined ? undefined : hireChargeCents(amountCents) + spareCents;
    return dropUndefined({
      proposalId,
      firstMilestone: dropUndefined({
        name,
        description: name || description ? description : 'First batch',
        amountUsd: amountCents / 100,
        dueDate,
      }),
      budgetUsd:
        budgetCents !== undefined && budgetCents <= MAX_USD_AMOUNT * 100 ? budgetCents / 100 : undefined,
      policy,
    });
  });

export const validAddMilestone: fc.Arbitrary<Json> = fc
  .record({
    description: text,
    amountUsd: usd,
    name: fc.option(text, { nil: undefined }),
    fund: fc.boolean(),
  })
  .map(dropUndefined);

export const validRetry: fc.Arbitrary<Json> = fc.oneof(
  id.map((approvalId) => ({ approvalId })),
  id.map((milestoneId) => ({ milestoneId })),
);

function dropUndefined<T extends Json>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

// ------------------------------------------------------------------ corruptions per input kind

/** A key the object does not know (never a prototype key: those have their own corruption). */
function unknownKey(parent: string[], known: string[]): fc.Arbitrary<Corruption> {
  return fc
    .tuple(fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,12}$/), fc.jsonValue())
    .filter(([key]) => !known.includes(key) && key !== 'constructor')
    .map(([key, value]) => at([...parent, key], 'unknown key')(value));
}

/** The JSON parser refuses such a body as a whole, before any field is checked: it goes alone. */
function prototypeKey(parent: string[]): fc.Arbitrary<Corruption> {
  return fc
    .tuple(fc.constantFrom('__proto__', 'constructor'), fc.jsonValue())
    .map(([key, value]) => ({ ...at([...parent, key], 'prototype key')(value), touches: [[]] }));
}

const POLICY_KEYS = Object.keys(POLICY_BOUNDS);
const START_KEYS = ['proposalId', 'firstMilestone', 'budgetUsd', 'confirmNotFitOverride', 'policy'];
const MILESTONE_KEYS = ['name', 'description', 'amountUsd', 'dueDate'];

const policyField = (field: Exclude<keyof typeof POLICY_BOUNDS, 'reminderOffsetsMs'>) =>
  outOfBounds(POLICY_BOUNDS[field]).map(at(['policy', field], `policy.${field}`));

export const startCorruption: fc.Arbitrary<Corruption> = fc.oneof(
  badId.map(at(['proposalId'], 'proposalId')),
  fc.constant(REMOVE).map(at(['proposalId'], 'missing proposalId')),
  notAnObject.map(at(['firstMilestone'], 'firstMilestone')),
  badAmount.map(at(['firstMilestone', 'amountUsd'], 'amountUsd')),
  fc.constant(REMOVE).map(at(['firstMilestone', 'amountUsd'], 'missing amountUsd')),
  badName.map(at(['firstMilestone', 'name'], 'name')),
  badDescription.map(at(['firstMilestone', 'description'], 'description')),
  badDate.map(at(['firstMilestone', 'dueDate'], 'dueDate')),
  badAmount.map(at(['budgetUsd'], 'budgetUsd')),
  notABoolean.map(at(['confirmNotFitOverride'], 'confirmNotFitOverride')),
  notAnObject.map(at(['policy'], 'policy')),
  ...(['maxReRequestsAfterExpiry', 'pollIntervalMinMs', 'preconditionRecheckMs'] as const).map(policyField),
  ...(['continueAsNewAfterEvents', 'contractRecheckMs', 'pollIntervalMaxMs'] as const).map(policyField),
  fc
    .oneof(
      fc.array(outOfBounds(POLICY_BOUNDS.reminderOffsetsMs), { minLength: 1, maxLength: 3 }),
      fc.array(fc.constant(1_000), { minLength: 11, maxLength: 20 }),
      fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant(null), fc.constant({})),
    )
    .map(at(['policy', 'reminderOffsetsMs'], 'reminderOffsetsMs')),
  // Cross-field rules: a budget below the hire charge, a minimum poll interval above the maximum.
  fc.integer({ min: 1, max: 994 }).map((cut): Corruption => ({
    path: ['budgetUsd'],
    kind: 'budget below hire charge',
    touches: [['budgetUsd'], ['firstMilestone']],
    apply: (input) => {
      const amountUsd = (input.firstMilestone as Json).amountUsd as number;
      setAt(input, ['budgetUsd'], (hireChargeCents(Math.round(amountUsd * 100)) - cut) / 100);
    },
  })),
  fc
    .tuple(fc.integer({ min: 5_001, max: 86_400_000 }), fc.integer({ min: 1, max: 80_000_000 }))
    .map(([min, below]): Corruption => ({
      path: ['policy', 'pollIntervalMinMs'],
      kind: 'poll min above max',
      touches: [['policy']],
      apply: (input) => {
        setAt(input, ['policy', 'pollIntervalMinMs'], min);
        setAt(input, ['policy', 'pollIntervalMaxMs'], Math.max(5_000, min - below));
      },
    })),
  unknownKey([], START_KEYS),
  unknownKey(['firstMilestone'], MILESTONE_KEYS),
  unknownKey(['policy'], POLICY_KEYS),
  prototypeKey([]),
  prototypeKey(['firstMilestone']),
);

export const addMilestoneCorruption: fc.Arbitrary<Corruption> = fc.oneof(
  badAmount.map(at(['amountUsd'], 'amountUsd')),
  fc.oneof(badDescription, fc.constant(REMOVE)).map(at(['description'], 'description')),
  badName.map(at(['name'], 'name')),
  badDate.map(at(['dueDate'], 'dueDate')),
  notABoolean.map(at(['fund'], 'fund')),
  unknownKey([], [...MILESTONE_KEYS, 'fund']),
  prototypeKey([]),
);

export const retryCorruption: fc.Arbitrary<Corruption> = fc.oneof(
  badId.map(at(['approvalId'], 'approvalId')),
  badId.map(at(['milestoneId'], 'milestoneId')),
  unknownKey([], ['approvalId', 'milestoneId']),
);

/** 1–3 corruptions on unrelated fields (none depends on a field another one changes). */
function corruptionsOf(corruption: fc.Arbitrary<Corruption>): fc.Arbitrary<Corruption[]> {
  const overlaps = (a: string[], b: string[]) => a.every((k, i) => b[i] === undefined || b[i] === k);
  return fc
    .uniqueArray(corruption, { minLength: 1, maxLength: 3, selector: (c) => c.path.join('.') })
    .filter((list) =>
      list.every((a, i) =>
        list.every((b, j) => i === j || a.touches.every((x) => b.touches.every((y) => !overlaps(x, y)))),
      ),
    );
}

/** A valid input with 1–3 corruptions, or unchanged (a valid case) one time in ten; `expect` lists the fields. */
export function bodyCase(valid: fc.Arbitrary<Json>, corruption: fc.Arbitrary<Corruption>) {
  const list = fc.oneof(
    { weight: 9, arbitrary: corruptionsOf(corruption) },
    { weight: 1, arbitrary: fc.constant<Corruption[]>([]) },
  );
  return fc
    .tuple(valid, list)
    .map(([body, applied]) => ({ body: corrupted(body, applied), expect: applied.map((c) => c.path) }));
}

/** The input with the corruptions applied (on a copy). */
function corrupted(input: Json, corruptions: Corruption[]): Json {
  const copy = structuredClone(input);
  for (const c of corruptions) c.apply(copy);
  return copy;
}

/** True when the answer's field paths name `path`, or something inside it (an array element). */
export function names(reported: string[], path: string[]): boolean {
  const wanted = path.join('.');
  return reported.some((p) => p === wanted || p.startsWith(`${wanted}.`));
}

export const badEngagementId = fc.oneof(
  fc.constantFrom('p_1', 'engagement-', 'engagement-   ', 'Engagement-p_1', 'x'),
  tooLong(211).map((s) => `engagement-${s}`),
);
