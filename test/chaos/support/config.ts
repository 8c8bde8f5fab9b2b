/**
 * The fault suite's size and fault mix. `npm test` runs the CI size (6 engagements, 1 server restart, a few
 * minutes on 2 cores); `npm run chaos` sets CHAOS_ENGAGEMENTS=50 CHAOS_SERVER_RESTARTS=2 for the full size.
 */
export interface ChaosConfig {
  engagements: number;
  /** Worker processes running at once, each SIGKILLed after a random lifetime and started again. */
  workers: number;
  workerLifetimeMs: { min: number; max: number };
  /** Temporal dev server SIGKILLs (each restarted on the same SQLite file), spread over the run's progress. */
  serverRestarts: number;
  /** How long the server stays dead, so callers really meet "Temporal is down". */
  serverDowntimeMs: { min: number; max: number };
  /** The sandbox's fault injection, applied to every public-API request for the whole run. */
  faults: { errorRate: number; rateLimitRate: number; retryAfterSec: number; failAfterCommitRate: number };
  /** The scripted human confirms each approval after 0..humanDelayMaxMs … */
  humanDelayMaxMs: number;
  /** … except 1 in this many, confirmed while the agent is backing off from a failed call. */
  confirmDuringBackoffOneIn: number;
  feedPollIntervalMs: number;
  /** The whole scenario (all lifecycles) must end within this; then the unfinished ones are dumped. */
  deadlineMs: number;
  /**
   * One agent call (an update) gives up after this and is repeated with the same key. Shorter than an update
   * that meets a killed worker or a few 5xx, on purpose: the repeat must join the first attempt, not add to it.
   */
  callTimeoutMs: number;
  /** Money of every engagement: the hire's milestone, two added with fund, and a budget that fits them. */
  amounts: { firstUsd: number; addedUsd: [number, number]; budgetUsd: number };
}

function intFromEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`${name} must be an integer ≥ ${min}, got ${raw}`);
  return value;
}

export function chaosConfig(): ChaosConfig {
  const engagements = intFromEnv('CHAOS_ENGAGEMENTS', 6, 1);
  return {
    engagements,
    workers: intFromEnv('CHAOS_WORKERS', 2, 2),
    // A worker is killed every 4–10 s at both sizes: on 2 cores a start costs seconds, and at 2–6 s the 50-engagement
    // run spent most of its time starting workers (CHAOS_WORKER_LIFETIME_* make it harsher).
    workerLifetimeMs: {
      min: intFromEnv('CHAOS_WORKER_LIFETIME_MIN_MS', 4_000, 500),
      max: intFromEnv('CHAOS_WORKER_LIFETIME_MAX_MS', 10_000, 1_000),
    },
    serverRestarts: intFromEnv('CHAOS_SERVER_RESTARTS', 1, 1),
    serverDowntimeMs: { min: 1_000, max: 4_000 },
    faults: { errorRate: 0.1, rateLimitRate: 0.05, retryAfterSec: 1, failAfterCommitRate: 0.1 },
    humanDelayMaxMs: 1_500,
    confirmDuringBackoffOneIn: 8,
    feedPollIntervalMs: 1_000,
    // Only a cap for a run that cannot finish: a passing run ends when its last lifecycle does. A worker killed
    // every few seconds costs each workflow its sticky cache (10 s to re-dispatch) and now and then an activity
    // (75 s start-to-close), so one lifecycle takes minutes; bigger runs share the same 2 cores.
    deadlineMs: intFromEnv('CHAOS_DEADLINE_MS', 540_000 + 10_000 * engagements, 10_000),
    callTimeoutMs: 10_000,
    // Hire charge 50 + 5 + 9.95 = 64.95, then 33 and 22 with fees: 119.95 of 125. One more funded milestone
    // (a duplicate) would break the budget on OpenTrain's own ledger.
    amounts: { firstUsd: 50, addedUsd: [30, 20], budgetUsd: 125 },
  };
}
