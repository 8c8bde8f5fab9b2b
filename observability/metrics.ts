import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { phaseSchema, type Phase } from '../domain/phases';

/**
 * Our Prometheus series (prom-client). Workflow code cannot reach them (it must stay deterministic), so they are
 * counted where the work happens: at activity boundaries in the worker (activity-metrics.ts), in the OpenTrain
 * client's response hook, and in the API. Labels hold types, outcomes and endpoint templates, never ids.
 */
function processRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'engagements_process_' });
  return registry;
}

/** A worker's series. */
export function createEngagementMetrics() {
  const registry = processRegistry();
  const registers = [registry];
  return {
    registry,
    approvalsRequested: new Counter({
      name: 'engagements_approvals_requested_total',
      help: 'Co-sign approvals OpenTrain opened for a money move, by approval type.',
      labelNames: ['type'],
      registers,
    }),
    approvalsResolved: new Counter({
      name: 'engagements_approvals_resolved_total',
      help: 'Approvals seen resolved by the human or by expiry, by type and outcome (status).',
      labelNames: ['type', 'outcome'],
      registers,
    }),
    approvalDecisionSeconds: new Histogram({
      name: 'engagements_approval_decision_seconds',
      help: "Time from an approval's request to its resolution (the human's decision or the expiry).",
      labelNames: ['type', 'outcome'],
      // From seconds (tests, quick humans) to the 72 h expiry.
      buckets: [5, 30, 60, 300, 900, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 48 * 3600, 72 * 3600],
      registers,
    }),
    remindersSent: new Counter({
      name: 'engagements_reminders_sent_total',
      help: 'Reminders sent to the human about a pending approval.',
      registers,
    }),
    openTrainRequests: new Counter({
      name: 'engagements_opentrain_requests_total',
      help: 'OpenTrain API requests by endpoint template and HTTP status (or network_error/timeout/aborted).',
      labelNames: ['endpoint', 'status'],
      registers,
    }),
    activityRetries: new Counter({
      name: 'engagements_activity_retries_total',
      help: 'Activity attempts after the first, by activity type.',
      labelNames: ['activity_type'],
      registers,
    }),
    feedCursorLagSeconds: new Gauge({
      name: 'engagements_feed_cursor_lag_seconds',
      help: "Age of the newest event in the feed's last page while more pages wait (0 once caught up).",
      registers,
    }),
    feedLastPollSeconds: new Gauge({
      name: 'engagements_feed_last_successful_poll_timestamp_seconds',
      help: 'Unix time of the last successful /updates poll.',
      registers,
    }),
  };
}

export type EngagementMetrics = ReturnType<typeof createEngagementMetrics>;

/** How long a visibility count stays fresh: scrapes every few seconds must not turn into a query storm. */
export const PHASE_COUNT_TTL_MS = 15_000;

/**
 * The API's series: webhook deliveries, and engagements by phase, counted through visibility (one `count` per
 * phase on the `EngagementPhase` search attribute, cached {@link PHASE_COUNT_TTL_MS}), so a scrape stays cheap.
 */
export function createApiMetrics(countPhase: (phase: Phase) => Promise<number>) {
  const registry = processRegistry();
  const registers = [registry];
  let cached: { at: number; counts: Promise<number[]> } | undefined;
  const counts = () => {
    if (!cached || Date.now() - cached.at > PHASE_COUNT_TTL_MS) {
      cached = { at: Date.now(), counts: Promise.all(phaseSchema.options.map(countPhase)) };
      // A failed count is retried at the next scrape, not cached.
      cached.counts.catch(() => (cached = undefined));
    }
    return cached.counts;
  };
  return {
    registry,
    webhookDeliveries: new Counter({
      name: 'engagements_webhook_deliveries_total',
      help: 'OpenTrain webhook deliveries, accepted or rejected, by reason.',
      labelNames: ['outcome', 'reason'],
      registers,
    }),
    engagementsByPhase: new Gauge({
      name: 'engagements_by_phase',
      help: 'Engagement workflows by phase (EngagementPhase search attribute, within retention).',
      labelNames: ['phase'],
      registers,
      async collect() {
        const values = await counts();
        phaseSchema.options.forEach((phase, i) => this.set({ phase }, values[i] ?? 0));
      },
    }),
  };
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;
