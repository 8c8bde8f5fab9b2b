import type { Blocker, EngagementState, PendingApproval } from '../../domain/engagement-view';

/**
 * What the human has to do for an engagement, in words an agent can pass on: each approval waiting for their
 * co-sign (what, where, how long is left), each blocker with its remedy and link, each parked item. Tool results
 * put these lines first, so an agent that reads only the start of a result still sees them.
 */
export function humanActions(state: EngagementState, nowMs: number): string[] {
  return [
    ...state.pendingApprovals.map((a) => approvalLine(state, a, nowMs)),
    ...state.blockers.map(blockerLine),
    ...state.parked.map(
      (p) =>
        `PARKED: the ${p.action}${p.milestoneId ? ` of milestone ${p.milestoneId}` : ''} was ${p.reason} ` +
        `(approval ${p.approvalId}). Ask the human whether to try again, then call retry with ` +
        `{"approvalId":"${p.approvalId}"}.`,
    ),
  ];
}

function approvalLine(state: EngagementState, a: PendingApproval, nowMs: number): string {
  const milestone = state.milestones.find((m) => m.id === a.milestoneId);
  const amount = milestone ? ` ($${milestone.amountUsd.toFixed(2)})` : '';
  const what: Record<string, string> = {
    proposal_hire: `the hire of ${state.proposalId} (first milestone, 10% fee and the $9.95 initiation fee)`,
    milestone_fund: `the funding of milestone ${a.milestoneId}${amount} plus the 10% fee`,
    milestone_approve: `the release of milestone ${a.milestoneId}${amount} to the trainer`,
    contract_end: `the end of contract ${state.contractId}`,
  };
  const retried = a.attempt > 1 ? ` (request ${a.attempt}: the earlier one expired)` : '';
  return (
    `ACTION FOR THE HUMAN: approve ${what[a.type] ?? `${a.type} ${a.approvalId}`} at ${a.approvalUrl} — ` +
    `${timeLeft(Date.parse(a.expiresAt) - nowMs)} left (expires ${a.expiresAt})${retried}.`
  );
}

/** What fixes each blocker kind the workflow reports (domain/engagement-hire.ts, money moves, access checks). */
const REMEDIES: Record<string, string> = {
  account_claim_required: 'the human claims the OpenTrain account',
  missing_scopes: 'create an OpenTrain token with the missing scopes and restart the worker with it',
  missing_features: 'the human enables the missing API features in OpenTrain',
  payment_method_required: 'the human adds a payment method (or credits)',
  credit_shortfall: 'the human tops up the credit balance or adds a card',
  opentrain_access: "fix the token's access in OpenTrain",
};

function blockerLine(b: Blocker): string {
  const link = b.url ? ` at ${b.url}` : '';
  if (b.kind === 'not_fit_confirmation_required')
    return `BLOCKED (${b.kind}): ${b.message}. If the human still wants this trainer, call confirm_not_fit.`;
  const remedy = REMEDIES[b.kind] ?? 'the human fixes this in OpenTrain';
  return `BLOCKED (${b.kind}): ${b.message}. Remedy: ${remedy}${link}, then call recheck_preconditions.`;
}

function timeLeft(ms: number): string {
  if (ms <= 0) return 'no time';
  const minutes = Math.floor(ms / 60_000);
  const hours = Math.floor(minutes / 60);
  return hours > 0 ? `${hours} h ${minutes % 60} min` : `${minutes} min`;
}
