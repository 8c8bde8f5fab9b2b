import type { Blocker, HistoryEntry, ParkedItem, ApprovalKind } from './engagement-view';
import type { IntentRecord } from './intents';
import type { ThreadState } from './thread';
import type { EngagementPolicy } from './inputs';
import type { Phase } from './phases';

/**
 * The engagement's internal state: plain JSON (it is carried across continue-as-new), integer cents.
 * `domain/engagement-projection.ts` turns it into the public `EngagementState` view.
 */

export type ApprovalAction = ApprovalKind;

/** OpenTrain's approval `type` for each action we request (docs/opentrain-api.md#approvals). */
export const APPROVAL_TYPE_BY_ACTION: Record<ApprovalAction, string> = {
  hire: 'proposal_hire',
  fund: 'milestone_fund',
  release: 'milestone_approve',
  end: 'contract_end',
};

/** The approval fields the workflow uses (docs/opentrain-api.md#approvals), as the activities hand them over. */
export interface ApprovalSnapshot {
  id: string;
  type: string;
  /** pending | confirmed | declined | expired, kept open. */
  status: string;
  contractId: string | null;
  milestoneId: string | null;
  jobId: string | null;
  proposalId: string | null;
  approvalUrl: string;
  expiresAt: string;
  resolvedAt: string | null;
  result: Record<string, unknown> | null;
  createdAt: string;
}

export interface MilestoneSnapshot {
  id: string;
  name: string | null;
  description: string;
  /** null on volume-priced contracts; this service only creates fixed-price milestones. */
  amountCents: number | null;
  status: string;
  dueDate: string | null;
  invoiceId: string | null;
  /** 1 for the milestone the hire created and funded. */
  milestoneNumber: number | null;
}

export interface ContractSnapshot {
  id: string;
  /** active | ended */
  status: string;
  jobId: string;
  proposalId: string;
  /** The masked identity OpenTrain shows (docs/opentrain-api.md#conventions); never more. */
  trainer: { displayName: string; profilePath: string };
  jobDmConversationId: string | null;
  milestones: MilestoneSnapshot[];
}

export interface PendingApprovalRecord {
  approvalId: string;
  action: ApprovalAction;
  type: string;
  milestoneId?: string;
  approvalUrl: string;
  expiresAt: string;
  createdAt: string;
  /** 1 for the first request, +1 per re-request after an expiry. */
  attempt: number;
  /** Whether the human was told about this approval, and which reminder offsets (ms before expiry) went out. */
  announced: boolean;
  remindersSentMs: number[];
  /** The fallback poll's current interval, carried so a new run does not start polling fast again. */
  pollIntervalMs?: number;
  /** The intent that asked for it (absent for the hire, which the engagement itself requests). */
  intentKey?: string;
}

export interface MilestoneEvidence {
  invoiceId?: string;
  paymentIntentId?: string;
  payoutTransactionId?: string;
}

export interface MilestoneRecord {
  id: string;
  name: string | null;
  description: string;
  amountCents: number;
  status: string;
  dueDate: string | null;
  fundApprovalId?: string;
  releaseApprovalId?: string;
  evidence?: MilestoneEvidence;
  /** Funded by the hire itself (its charge is the hire charge, fees included). */
  viaHire: boolean;
  fundedAt?: string;
  releasedAt?: string;
  /** Counts against the budget: funded, or a funding request is under way. */
  budgetReserved: boolean;
}

export interface FirstMilestoneTerms {
  name?: string;
  description?: string;
  amountCents: number;
  dueDate?: string;
}

export interface EngagementSnapshot {
  engagementId: string;
  proposalId: string;
  phase: Phase;
  policy: EngagementPolicy;
  budgetCents?: number;
  firstMilestone: FirstMilestoneTerms;
  /** From the input, or set later by a `confirmNotFit` update. */
  confirmNotFit: boolean;
  /** OpenTrain answered `not_fit_confirmation_required`: later hire requests carry the override once confirmed. */
  notFitSeen: boolean;
  /** A milestone creation ended in doubt (it may have committed): the next one reconciles before creating. */
  createUncertain: boolean;
  jobId?: string;
  /** The contract a confirmed hire created, until it has been read (then `contractId`). */
  hiredContractId?: string;
  contractId?: string;
  jobDmConversationId?: string;
  trainer?: { displayName: string; profilePath: string };
  blockers: Blocker[];
  pending: PendingApprovalRecord[];
  parked: ParkedItem[];
  milestones: MilestoneRecord[];
  /** Attempt number of the next hire request (1 at first, grows with each re-request after expiry). */
  hireAttempt: number;
  failureReason?: string;
  /** Resolutions delivered by the `approvalResolved` signal and not yet consumed by a wait. */
  signalled: Record<string, string>;
  /** Approval ids that are no longer pending (bounded), so late signals for them are recognised as stale. */
  closedApprovalIds: string[];
  /** Operations with an activity under way, e.g. `fund:<milestoneId>`; empty when continue-as-new happens. */
  inFlight: string[];
  recheckRequested: boolean;
  contractStale: boolean;
  /** Every caller's request under its key (docs/intents.md); absent in snapshots carried by older runs. */
  intents?: IntentRecord[];
  /** The hire request was sent with the "Not a fit" override and OpenTrain still asked for it: not sent again. */
  notFitOverrideRefused?: boolean;
  /** The trainer's thread as last seen (domain/thread.ts); absent until the first message. */
  thread?: ThreadState;
  history: HistoryEntry[];
  updatedAt: string;
}

export const HISTORY_LIMIT = 50;
export const CLOSED_APPROVALS_LIMIT = 100;
/** Resolutions for ids we do not know yet are kept only while a request could be returning them. */
export const EARLY_SIGNAL_LIMIT = 20;
