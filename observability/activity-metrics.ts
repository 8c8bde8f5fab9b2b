import { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { ApprovalSnapshot } from '../domain/engagement-model';
import type { EngagementMetrics } from './metrics';

/**
 * Counts what the workflow does at the one place the worker can see it without touching workflow code: the
 * activities' inputs and results. An approval is "requested" when a request activity returns it pending, and
 * "resolved" the first time any activity returns it resolved (fetchApproval, mostly); its decision time is
 * OpenTrain's own createdAt → resolvedAt. Repeated reads of one approval (retries, re-polls) count once per worker
 * process; with several workers an approval is counted by the one that saw it.
 */
const REQUEST_ACTIVITIES = new Set(['requestHire', 'requestFunding', 'requestRelease', 'requestContractEnd']);
const SEEN_LIMIT = 10_000;

class SeenOnce {
  readonly #ids = new Set<string>();
  first(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    // Oldest first out: a Set iterates in insertion order.
    if (this.#ids.size > SEEN_LIMIT) this.#ids.delete(this.#ids.values().next().value as string);
    return true;
  }
}

function approvalIn(result: unknown): ApprovalSnapshot | undefined {
  const candidate =
    result && typeof result === 'object' && 'approval' in result
      ? (result as { approval: unknown }).approval
      : result;
  if (!candidate || typeof candidate !== 'object') return undefined;
  const a = candidate as Partial<ApprovalSnapshot>;
  return typeof a.id === 'string' &&
    typeof a.type === 'string' &&
    typeof a.status === 'string' &&
    'approvalUrl' in a
    ? (a as ApprovalSnapshot)
    : undefined;
}

export function activityMetricsInterceptor(metrics: EngagementMetrics): ActivityInterceptorsFactory {
  const requested = new SeenOnce();
  const resolved = new SeenOnce();
  const observe = (activityType: string, input: unknown, result: unknown) => {
    if (
      activityType === 'notifyHuman' &&
      (input as { kind?: unknown } | undefined)?.kind === 'approval_reminder'
    ) {
      metrics.remindersSent.inc();
    }
    const approval = approvalIn(result);
    if (!approval) return;
    if (approval.status === 'pending') {
      if (REQUEST_ACTIVITIES.has(activityType) && requested.first(approval.id)) {
        metrics.approvalsRequested.inc({ type: approval.type });
      }
    } else if (resolved.first(approval.id)) {
      const labels = { type: approval.type, outcome: approval.status };
      metrics.approvalsResolved.inc(labels);
      const seconds = (Date.parse(approval.resolvedAt ?? '') - Date.parse(approval.createdAt)) / 1000;
      if (Number.isFinite(seconds) && seconds >= 0) metrics.approvalDecisionSeconds.observe(labels, seconds);
    }
  };
  return () => ({
    inbound: {
      async execute(input, next) {
        const { activityType, attempt } = Context.current().info;
        if (attempt > 1) metrics.activityRetries.inc({ activity_type: activityType });
        const result = await next(input);
        observe(activityType, input.args[0], result);
        return result;
      },
    },
  });
}
