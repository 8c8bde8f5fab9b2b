import { z } from 'zod';
import { fieldsValid } from './validation';

/**
 * An engagement's timing policy: every field bounded, so no policy a caller may send can make the workflow spin
 * against OpenTrain (`worstCaseOpenTrainCallsPerHour` says how many calls the bounds allow). The bounds are
 * documented in client/README.md ("Input rules and policy bounds").
 */

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export const POLICY_BOUNDS = {
  /** Reminders go to the human, never to OpenTrain, and each offset fires once per approval: only capped. */
  reminderOffsetsMs: { min: 1, max: 7 * DAY_MS, maxCount: 10 },
  maxReRequestsAfterExpiry: { min: 0, max: 20 },
  pollIntervalMinMs: { min: 5 * SECOND_MS, max: DAY_MS },
  pollIntervalMaxMs: { min: 5 * SECOND_MS, max: DAY_MS },
  preconditionRecheckMs: { min: MINUTE_MS, max: DAY_MS },
  /** Under Temporal's 51,200-event hard limit with room for the handlers that must finish first. */
  continueAsNewAfterEvents: { min: 1_000, max: 40_000 },
  contractRecheckMs: { min: MINUTE_MS, max: 7 * DAY_MS },
  /** A notification to the human, never a call to OpenTrain: bounded so a reply is never forgotten for weeks. */
  replyWaitingNotifyMs: { min: MINUTE_MS, max: 7 * DAY_MS },
} as const;

export const POLICY_DEFAULTS = {
  reminderOffsetsMs: [24 * HOUR_MS, 4 * HOUR_MS],
  maxReRequestsAfterExpiry: 2,
  pollIntervalMinMs: 5 * MINUTE_MS,
  pollIntervalMaxMs: 6 * HOUR_MS,
  preconditionRecheckMs: 15 * MINUTE_MS,
  continueAsNewAfterEvents: 8_000,
  contractRecheckMs: 6 * HOUR_MS,
  replyWaitingNotifyMs: 4 * HOUR_MS,
};

/** "5000 ms (5 seconds)": the unit callers send, and the duration a person reads. */
function ms(value: number): string {
  const units: [number, string][] = [
    [DAY_MS, 'day'],
    [HOUR_MS, 'hour'],
    [MINUTE_MS, 'minute'],
    [SECOND_MS, 'second'],
  ];
  const [size, name] = units.find(([unit]) => value % unit === 0) ?? [1, 'millisecond'];
  const count = value / size;
  return `${value} ms (${count} ${name}${count === 1 ? '' : 's'})`;
}

/**
 * A bounded whole number. `refine` rather than zod's `.int()` (and, for the reminders, rather than `.max()` on the
 * array): those abort the whole parse, which would keep the cross-field rules (the budget, min <= max) from
 * naming their fields alongside.
 */
function wholeNumber(bounds: { min: number; max: number }, describe: (n: number) => string = String) {
  return z
    .number({ error: 'must be a number' })
    .refine(Number.isInteger, { error: 'must be a whole number' })
    .min(bounds.min, { error: `must be at least ${describe(bounds.min)}` })
    .max(bounds.max, { error: `must be at most ${describe(bounds.max)}` })
    .meta({ type: 'integer' });
}

const pollIntervalMinSchema = wholeNumber(POLICY_BOUNDS.pollIntervalMinMs, ms).default(
  POLICY_DEFAULTS.pollIntervalMinMs,
);
const pollIntervalMaxSchema = wholeNumber(POLICY_BOUNDS.pollIntervalMaxMs, ms).default(
  POLICY_DEFAULTS.pollIntervalMaxMs,
);

export const engagementPolicySchema = z
  .object({
    /** How long before `expiresAt` the human is reminded. */
    reminderOffsetsMs: z
      .array(wholeNumber(POLICY_BOUNDS.reminderOffsetsMs, ms))
      .refine((offsets) => offsets.length <= POLICY_BOUNDS.reminderOffsetsMs.maxCount, {
        error: `must list at most ${POLICY_BOUNDS.reminderOffsetsMs.maxCount} reminders`,
      })
      .meta({ maxItems: POLICY_BOUNDS.reminderOffsetsMs.maxCount })
      .default(POLICY_DEFAULTS.reminderOffsetsMs),
    /** How many times an expired approval is requested again before the item is parked until `retry`. */
    maxReRequestsAfterExpiry: wholeNumber(POLICY_BOUNDS.maxReRequestsAfterExpiry).default(
      POLICY_DEFAULTS.maxReRequestsAfterExpiry,
    ),
    /** Fallback polling of `GET /approvals/{id}`: starts at the minimum, doubles up to the maximum. */
    pollIntervalMinMs: pollIntervalMinSchema,
    pollIntervalMaxMs: pollIntervalMaxSchema,
    preconditionRecheckMs: wholeNumber(POLICY_BOUNDS.preconditionRecheckMs, ms).default(
      POLICY_DEFAULTS.preconditionRecheckMs,
    ),
    /** Continue-as-new once history passes this many events, even if the server has not suggested it yet. */
    continueAsNewAfterEvents: wholeNumber(
      POLICY_BOUNDS.continueAsNewAfterEvents,
      (n) => `${n} events`,
    ).default(POLICY_DEFAULTS.continueAsNewAfterEvents),
    /** An active contract is read again this often even without an event (cancellations, refunds). */
    contractRecheckMs: wholeNumber(POLICY_BOUNDS.contractRecheckMs, ms).default(
      POLICY_DEFAULTS.contractRecheckMs,
    ),
    /** The human is told when a trainer's message has waited this long for an answer. */
    replyWaitingNotifyMs: wholeNumber(POLICY_BOUNDS.replyWaitingNotifyMs, ms).default(
      POLICY_DEFAULTS.replyWaitingNotifyMs,
    ),
  })
  .refine((p) => p.pollIntervalMinMs <= p.pollIntervalMaxMs, {
    error: 'must not be greater than pollIntervalMaxMs (given, or its default)',
    path: ['pollIntervalMinMs'],
    when: ({ value }) =>
      fieldsValid(value, [
        [['pollIntervalMinMs'], pollIntervalMinSchema],
        [['pollIntervalMaxMs'], pollIntervalMaxSchema],
      ]),
  });
export type EngagementPolicy = z.infer<typeof engagementPolicySchema>;

/**
 * What one timed step may cost: a precondition check and the hire it leads to (checkPreconditions, then
 * requestHire, once more with the "Not a fit" override), or an expired approval's closing read plus its request
 * again (a hire's goes through the precondition check too). Each of these activities makes at most 3 HTTP
 * requests, and retries only transient failures within its timeout.
 */
const CALLS_PER_HIRE_ATTEMPT = 3;
const CALLS_PER_EXPIRY = 1 + CALLS_PER_HIRE_ATTEMPT;

/**
 * The most OpenTrain activity calls one engagement makes in any hour, driven by its policy alone, with
 * `waitingApprovals` co-signs outstanding. Every timed loop counts as if it ran the whole hour: the blocked hire's
 * precondition recheck, the contract's re-read (blocked after the hire, or active), and per approval its fallback polls (never faster than the minimum
 * interval) plus, at worst, every expiry and re-request the policy allows. Events and callers' requests add calls
 * of their own; continue-as-new adds none (a new run restarts its timers, it does not call at once).
 */
export function worstCaseOpenTrainCallsPerHour(policy: EngagementPolicy, waitingApprovals: number): number {
  const timesPerHour = (intervalMs: number) => Math.floor(HOUR_MS / intervalMs) + 1;
  const hirePhase = timesPerHour(policy.preconditionRecheckMs) * CALLS_PER_HIRE_ATTEMPT;
  const contractReads = timesPerHour(policy.preconditionRecheckMs) + timesPerHour(policy.contractRecheckMs);
  const perApproval =
    timesPerHour(policy.pollIntervalMinMs) + (policy.maxReRequestsAfterExpiry + 1) * CALLS_PER_EXPIRY;
  return hirePhase + contractReads + waitingApprovals * perApproval;
}
