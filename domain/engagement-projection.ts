import { isWithdrawn } from './engagement-milestone-status';
import type { EngagementSnapshot, MilestoneRecord } from './engagement-model';
import type { EngagementState, MilestoneView } from './engagement-view';
import type { IntentRecord } from './intents';
import { unreadReplies } from './thread';
import { centsToUsd, INITIATION_FEE_CENTS, marketplaceFeeCents } from './money';

/** The one place where the internal state (cents) becomes the public `state` query view (dollars). */
export function toEngagementState(snapshot: EngagementSnapshot): EngagementState {
  const totals = totalsCents(snapshot.milestones);
  return {
    engagementId: snapshot.engagementId,
    phase: snapshot.phase,
    proposalId: snapshot.proposalId,
    jobId: snapshot.jobId,
    contractId: snapshot.contractId,
    jobDmConversationId: snapshot.jobDmConversationId,
    trainer: snapshot.trainer,
    blockers: snapshot.blockers.map((b) => ({ ...b })),
    pendingApprovals: snapshot.pending.map((p) => ({
      approvalId: p.approvalId,
      type: p.type,
      milestoneId: p.milestoneId,
      approvalUrl: p.approvalUrl,
      expiresAt: p.expiresAt,
      attempt: p.attempt,
    })),
    parked: snapshot.parked.map((p) => ({ ...p })),
    milestones: snapshot.milestones.map(toMilestoneView),
    budgetUsd: snapshot.budgetCents === undefined ? undefined : centsToUsd(snapshot.budgetCents),
    totals: {
      fundedUsd: centsToUsd(totals.fundedCents),
      releasedUsd: centsToUsd(totals.releasedCents),
      feesUsd: centsToUsd(totals.feesCents),
    },
    failureReason: snapshot.failureReason,
    intents: intentsView(snapshot.intents ?? []),
    thread: threadView(snapshot),
    history: snapshot.history.map((h) => ({ ...h })),
    updatedAt: snapshot.updatedAt,
  };
}

export function toMilestoneView(m: MilestoneRecord): MilestoneView {
  return {
    id: m.id,
    name: m.name,
    description: m.description,
    amountUsd: centsToUsd(m.amountCents),
    status: m.status,
    dueDate: m.dueDate,
    fundApprovalId: m.fundApprovalId,
    releaseApprovalId: m.releaseApprovalId,
    evidence: m.evidence ? { ...m.evidence } : undefined,
  };
}

/**
 * The money of the engagement (see `totals` in engagement-view.ts): milestones funded and not refunded or
 * cancelled — in escrow now, or paid out — and the fees charged for them.
 * [INFERENCE] A refund returns a milestone's whole charge, fees included (for the hire's milestone also the
 * $9.95 initiation fee, which was charged with it), as the sandbox's HOLD_RELEASE of the escrow hold does.
 */
function totalsCents(milestones: readonly MilestoneRecord[]): {
  fundedCents: number;
  releasedCents: number;
  feesCents: number;
} {
  let fundedCents = 0;
  let releasedCents = 0;
  let feesCents = 0;
  for (const m of milestones) {
    if (!m.fundedAt || isWithdrawn(m.status)) continue;
    fundedCents += m.amountCents;
    feesCents += marketplaceFeeCents(m.amountCents) + (m.viaHire ? INITIATION_FEE_CENTS : 0);
    if (m.releasedAt) releasedCents += m.amountCents;
  }
  return { fundedCents, releasedCents, feesCents };
}

function threadView(snapshot: EngagementSnapshot): EngagementState['thread'] {
  if (!snapshot.thread || !snapshot.jobDmConversationId) return undefined;
  return {
    conversationId: snapshot.jobDmConversationId,
    messages: snapshot.thread.messages.map((m) => ({ ...m })),
    unread: unreadReplies(snapshot.thread).length,
  };
}

/** Settled intents shown in the state; the workflow keeps more of them to answer repeated keys. */
const SETTLED_INTENTS_SHOWN = 20;

function intentsView(intents: readonly IntentRecord[]): EngagementState['intents'] {
  const settled = intents.filter((i) => i.status === 'settled').slice(-SETTLED_INTENTS_SHOWN);
  return intents
    .filter((i) => i.status === 'open' || settled.includes(i))
    .map((i) => ({
      key: i.key,
      kind: i.kind,
      via: i.via,
      door: i.door,
      status: i.status,
      outcome: i.outcome,
      milestoneId: i.milestoneId,
      openedAt: i.openedAt,
      settledAt: i.settledAt,
    }));
}
