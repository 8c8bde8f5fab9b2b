import type { Blocker, EngagementState, MilestoneView, PendingApproval } from '../../domain/engagement-view';
import type { EngagementSummary } from '../engagement-client';
import { table, timeLeft, usd } from './format';
import { renderThreadSection } from './render-thread';

/** What a person reads: phase first, then money, milestones, what waits for a human, and what blocks. */
export function renderState(state: EngagementState, nowMs: number): string {
  const lines: string[] = [];
  const contract = state.contractId ? `contract ${state.contractId}` : 'no contract yet';
  const trainer = state.trainer ? `, trainer ${state.trainer.displayName}` : '';
  lines.push(`${state.engagementId}  phase: ${state.phase}  (${contract}${trainer})`);
  if (state.failureReason) lines.push(`Failed: ${state.failureReason}`);
  const budget = state.budgetUsd === undefined ? '' : `budget ${usd(state.budgetUsd)}  `;
  lines.push(
    `${budget}funded ${usd(state.totals.fundedUsd)}  released ${usd(state.totals.releasedUsd)}  fees ${usd(state.totals.feesUsd)}`,
  );

  lines.push('', 'Milestones');
  lines.push(
    state.milestones.length === 0
      ? '  (none yet)'
      : indent(
          table(
            ['ID', 'NAME', 'AMOUNT', 'STATUS', 'DUE'],
            state.milestones.map((m) => [
              m.id,
              m.name ?? m.description,
              usd(m.amountUsd),
              m.status,
              m.dueDate?.slice(0, 10),
            ]),
          ),
        ),
  );

  if (state.pendingApprovals.length > 0) {
    lines.push('', 'Waiting for the human (open the link to confirm or decline)');
    for (const approval of state.pendingApprovals) lines.push(`  ${describeApproval(approval, nowMs)}`);
  }
  if (state.blockers.length > 0) {
    lines.push('', 'Blocked — a human must act');
    for (const blocker of state.blockers) {
      lines.push(`  ${blocker.kind}: ${blocker.message}`);
      if (blocker.url) lines.push(`    → ${blocker.url}`);
      lines.push(`    then: ${unblockCommand(blocker, state.engagementId)}`);
    }
  }
  lines.push(...renderThreadSection(state.thread));
  if (state.parked.length > 0) {
    lines.push('', 'Parked until you retry');
    for (const item of state.parked) {
      const target = item.milestoneId ?? item.approvalId;
      lines.push(
        `  ${item.action}${item.milestoneId ? ` ${item.milestoneId}` : ''}: approval ${item.approvalId} ${item.reason}` +
          ` → engagements retry ${state.engagementId} ${target}`,
      );
    }
  }
  return lines.join('\n');
}

/**
 * The CLI command that moves a blocked engagement on: "Not a fit" is lifted by confirming the hire anyway; every
 * other blocker is fixed outside (claim, card, scopes) and then checked again.
 */
function unblockCommand(blocker: Blocker, engagementId: string): string {
  return blocker.kind === 'not_fit_confirmation_required'
    ? `engagements confirm-not-fit ${engagementId}  (to hire anyway)`
    : `engagements recheck ${engagementId}`;
}

export function describeApproval(approval: PendingApproval, nowMs: number): string {
  const what = approval.milestoneId ? `${approval.type} ${approval.milestoneId}` : approval.type;
  const attempt = approval.attempt > 1 ? ` (request #${approval.attempt})` : '';
  return `${what}${attempt}: ${timeLeft(approval.expiresAt, nowMs)} left  ${approval.approvalUrl}`;
}

export function renderMilestone(milestone: MilestoneView): string {
  return `${milestone.id}  ${milestone.name ?? milestone.description}  ${usd(milestone.amountUsd)}  ${milestone.status}`;
}

/** For a person on stderr: the key this run made, so a failed or timed-out call can be repeated safely. */
export function renderIdempotencyHint(key: string): string {
  return `idempotency key: ${key}  (repeat with --idempotency-key to retry safely)`;
}

export function renderList(summaries: EngagementSummary[], nowMs: number): string {
  if (summaries.length === 0) return 'No engagements match.';
  return table(
    ['ENGAGEMENT', 'PHASE', 'CONTRACT', 'NEXT EXPIRY', 'STATUS'],
    summaries.map((s) => [
      s.engagementId,
      s.phase,
      s.contractId,
      s.nextApprovalExpiry ? `${timeLeft(s.nextApprovalExpiry, nowMs)} left` : undefined,
      s.status,
    ]),
  );
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
