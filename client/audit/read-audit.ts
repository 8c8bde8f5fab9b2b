import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { isWithdrawn } from '../../domain/engagement-milestone-status';
import type { EngagementState } from '../../domain/engagement-view';
import { EngagementNotFoundError } from '../errors';
import type { AuditEntry, AuditTrail } from './audit-entry';
import { auditEntriesOf } from './from-history';
import type { RunHistory } from './from-history';

/**
 * The audit trail of one engagement: every run's history, followed back from the newest run through each
 * `continuedExecutionRunId` to the first, read in order; totals from the entries, beside the state's own.
 */
export async function readAuditTrail(
  client: Client,
  engagementId: string,
  state: EngagementState,
): Promise<AuditTrail> {
  const runs: { runId: string; history: RunHistory }[] = [];
  try {
    let runId: string | undefined = (await client.workflow.getHandle(engagementId).describe()).runId;
    while (runId) {
      const history: RunHistory = await client.workflow.getHandle(engagementId, runId).fetchHistory();
      runs.unshift({ runId, history });
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      runId = started?.continuedExecutionRunId || undefined;
    }
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new EngagementNotFoundError(engagementId);
    throw err;
  }
  const entries = auditEntriesOf(runs.map((r) => r.history));
  return {
    engagementId,
    runs: runs.map((r) => r.runId),
    entries,
    totals: totalsOf(entries, state),
    state: state.totals,
  };
}

const FUNDING = new Set(['hire', 'fund']);

function totalsOf(entries: readonly AuditEntry[], state: EngagementState): AuditTrail['totals'] {
  const confirmed = entries.filter((e) => e.kind === 'approval' && e.outcome === 'confirmed');
  const fundings = confirmed.filter((e) => FUNDING.has(e.operation ?? ''));
  const withdrawn = new Set(state.milestones.filter((m) => isWithdrawn(m.status)).map((m) => m.id));
  const refunded = fundings.filter((e) => e.milestoneId !== undefined && withdrawn.has(e.milestoneId));
  const sum = (list: readonly AuditEntry[], pick: (e: AuditEntry) => number | undefined) =>
    Math.round(list.reduce((total, e) => total + (pick(e) ?? 0) * 100, 0)) / 100;
  return {
    fundedUsd: sum(fundings, (e) => e.amountUsd),
    releasedUsd: sum(
      confirmed.filter((e) => e.operation === 'release'),
      (e) => e.amountUsd,
    ),
    feesUsd: sum(fundings, (e) => e.feesUsd),
    refundedUsd: sum(refunded, (e) => e.amountUsd),
    refundedFeesUsd: sum(refunded, (e) => e.feesUsd),
  };
}
