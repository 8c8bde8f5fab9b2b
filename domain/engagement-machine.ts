import type { Blocker, ParkedItem } from './engagement-view';
import * as approvals from './engagement-approvals';
import type { SignalOutcome } from './engagement-approvals';
import * as budget from './engagement-budget';
import * as guards from './engagement-guards';
import * as hire from './engagement-hire';
import { EngagementJournal } from './engagement-journal';
import * as milestones from './engagement-milestones';
import { isFundedOrLater, isReleased } from './engagement-milestone-status';
import {
  type ApprovalAction,
  type ApprovalSnapshot,
  type ContractSnapshot,
  type EngagementSnapshot,
  type FirstMilestoneTerms,
  type MilestoneRecord,
  type MilestoneSnapshot,
  type PendingApprovalRecord,
} from './engagement-model';
import { openIntent } from './intents';
import type { EngagementPolicy } from './inputs';

export type { SignalOutcome };

export interface NewEngagement {
  engagementId: string;
  proposalId: string;
  policy: EngagementPolicy;
  budgetCents?: number;
  firstMilestone: FirstMilestoneTerms;
  confirmNotFitOverride?: boolean;
}

/**
 * The engagement's state and its journal: the one owner of the snapshot. Each concern lives in its own module
 * (hire, milestones, budget, approvals, guards, intents); this class is their single entry point, so the
 * workflow reads `machine.fund…` without knowing which module holds the rule. `now` (ISO) is always passed in.
 */
export class EngagementMachine extends EngagementJournal {
  static create(init: NewEngagement, now: string): EngagementMachine {
    const machine = new EngagementMachine({
      engagementId: init.engagementId,
      proposalId: init.proposalId,
      phase: 'checking_preconditions',
      policy: init.policy,
      budgetCents: init.budgetCents,
      firstMilestone: init.firstMilestone,
      confirmNotFit: init.confirmNotFitOverride ?? false,
      notFitSeen: false,
      createUncertain: false,
      blockers: [],
      pending: [],
      parked: [],
      milestones: [],
      hireAttempt: 1,
      signalled: {},
      closedApprovalIds: [],
      inFlight: [],
      recheckRequested: false,
      contractStale: false,
      intents: [],
      history: [],
      updatedAt: now,
    });
    machine.record(now, 'started', `engagement for proposal ${init.proposalId}`);
    return machine;
  }

  /** Resume from a snapshot carried across continue-as-new (a copy: the machine owns its state). */
  static restore(snapshot: EngagementSnapshot): EngagementMachine {
    return new EngagementMachine(JSON.parse(JSON.stringify(snapshot)) as EngagementSnapshot);
  }

  // ---------- preconditions and blockers ----------

  /** Returns whether the blockers changed (the human is told only about news). */
  block(now: string, blockers: Blocker[]): boolean {
    return hire.block(this, now, blockers);
  }
  /** Pending fund/release/end approvals carried by a run older than intents get an intent of their own. */
  adoptUntrackedApprovals(now: string): void {
    for (const p of this.s.pending) {
      if (p.action === 'hire' || p.intentKey) continue;
      p.intentKey = `approval:${p.approvalId}`;
      const intent = openIntent(
        this.intents,
        { key: p.intentKey, kind: p.action, via: 'signal', fingerprint: '{}', milestoneId: p.milestoneId },
        now,
      );
      intent.move = { action: p.action, milestoneId: p.milestoneId };
    }
  }

  // ---------- hire ----------

  get firstMilestone(): FirstMilestoneTerms {
    return this.s.firstMilestone;
  }
  get confirmNotFit(): boolean {
    return this.s.confirmNotFit;
  }
  get hireAttempt(): number {
    return this.s.hireAttempt;
  }
  checkConfirmNotFit(): void {
    guards.checkConfirmNotFit(this);
  }
  confirmNotFitOverride(now: string): void {
    this.s.confirmNotFit = true;
    this.s.notFitOverrideRefused = false;
    this.record(now, 'not_fit_confirmed', 'hire despite the "Not a fit" mark');
  }
  notFitConfirmationRequired(now: string, overrideWasSent = false): boolean {
    return hire.notFitConfirmationRequired(this, now, overrideWasSent);
  }
  hireOverride(): boolean {
    return hire.hireOverride(this);
  }
  get createUncertain(): boolean {
    return this.s.createUncertain;
  }
  setCreateUncertain(value: boolean): void {
    this.s.createUncertain = value;
  }
  hireRequested(now: string, approval: ApprovalSnapshot): PendingApprovalRecord {
    return hire.hireRequested(this, now, approval);
  }
  hireExpired(now: string, approvalId: string): boolean {
    return hire.hireExpired(this, now, approvalId);
  }
  hireDeclined(now: string, approvalId: string): void {
    hire.hireDeclined(this, now, approvalId);
  }
  /** The hire is confirmed: its contract must be read before the engagement becomes active. */
  hireConfirmed(contractId: string): void {
    this.s.hiredContractId = contractId;
  }
  get hiredContractId(): string | undefined {
    return this.s.hiredContractId;
  }
  hasParkedHire(): boolean {
    return this.s.parked.some((p) => p.action === 'hire');
  }
  pendingHire(): PendingApprovalRecord | undefined {
    return this.s.pending.find((p) => p.action === 'hire');
  }
  hired(now: string, contract: ContractSnapshot): void {
    hire.hired(this, now, contract);
  }

  // ---------- contract and milestones ----------

  get contractId(): string | undefined {
    return this.s.contractId;
  }
  get jobId(): string | undefined {
    return this.s.jobId;
  }
  milestoneIds(): string[] {
    return this.s.milestones.map((m) => m.id);
  }
  milestone(id: string): MilestoneRecord | undefined {
    return milestones.findMilestone(this, id);
  }
  markContractStale(): void {
    this.s.contractStale = true;
    this.touch();
  }
  markContractFresh(): void {
    this.s.contractStale = false;
  }
  get contractStale(): boolean {
    return this.s.contractStale;
  }
  /** A fresh contract read wins over what we recorded (the human may have acted in the app). */
  syncContract(now: string, contract: ContractSnapshot, heldBeforeRead: readonly string[] = []): void {
    this.s.contractStale = false;
    milestones.syncActiveContract(this, now, contract, heldBeforeRead);
    // The timeline already shows a pending fund/release done: its approval executed, so read it now.
    for (const p of this.s.pending) {
      const m = p.milestoneId ? this.milestone(p.milestoneId) : undefined;
      const done =
        m &&
        ((p.action === 'fund' && isFundedOrLater(m.status)) ||
          (p.action === 'release' && isReleased(m.status)));
      if (done) this.s.signalled[p.approvalId] ??= 'observed';
    }
    if (contract.status === 'ended' && this.s.phase !== 'ended')
      this.ended(now, 'contract ended on OpenTrain');
  }
  /** After the end: approvals still pending can never execute; the escrow's fate comes from the timeline. */
  reconcileEnded(now: string, contract: ContractSnapshot): void {
    const closed = this.s.pending.map((p) => p.approvalId);
    for (const id of closed) approvals.closeApprovalId(this, id);
    if (closed.length) this.record(now, 'approvals_closed', `${closed.join(', ')}: contract ended`);
    this.s.pending = [];
    milestones.settleEndedContract(this, now, contract);
  }
  milestoneCreated(now: string, milestone: MilestoneSnapshot): MilestoneRecord {
    return milestones.milestoneCreated(this, now, milestone);
  }
  /** A reconciling read showed the milestone as OpenTrain has it (e.g. already funded or paid). */
  milestoneObserved(now: string, milestone: MilestoneSnapshot, why: string): void {
    milestones.upsertMilestone(this, now, milestone, false);
    this.record(now, 'reconciled', `milestone ${milestone.id} is ${milestone.status}: ${why}`);
  }
  ended(now: string, detail: string): void {
    this.s.pending = this.s.pending.filter((p) => p.action === 'fund' || p.action === 'release');
    this.record(now, 'ended', detail);
    this.setPhase(now, 'ended');
  }

  // ---------- guards ----------

  checkAddMilestone(amountCents: number, fund: boolean): void {
    guards.checkAddMilestone(this, amountCents, fund);
  }
  checkFund(milestoneId: string): void {
    guards.checkFund(this, milestoneId);
  }
  checkRelease(milestoneId: string): void {
    guards.checkRelease(this, milestoneId);
  }
  checkEnd(): void {
    guards.checkEnd(this);
  }
  checkRetry(ref: { approvalId?: string; milestoneId?: string }): ParkedItem {
    return guards.checkRetry(this, ref);
  }

  // ---------- budget ----------

  committedCents(): number {
    return budget.committedCents(this.s);
  }
  reserveFunding(milestoneId: string): void {
    budget.reserveFunding(this.s, milestoneId);
  }
  dropReservation(milestoneId: string | undefined): void {
    budget.dropReservation(this.s, milestoneId);
  }

  // ---------- approvals ----------

  pendingFor(action: ApprovalAction, milestoneId?: string): PendingApprovalRecord | undefined {
    return approvals.pendingFor(this, action, milestoneId);
  }
  approvalRequested(
    now: string,
    action: Exclude<ApprovalAction, 'hire'>,
    approval: ApprovalSnapshot,
    attempt: number,
    milestoneId?: string,
    intentKey?: string,
  ): PendingApprovalRecord {
    const pending = approvals.addPending(this, now, action, approval, attempt, milestoneId, intentKey);
    const m = milestoneId ? this.milestone(milestoneId) : undefined;
    if (m && action === 'fund') m.fundApprovalId = approval.id;
    if (m && action === 'release') m.releaseApprovalId = approval.id;
    if (action === 'end') this.setPhase(now, 'awaiting_end_approval');
    return pending;
  }
  markAnnounced(approvalId: string): void {
    approvals.updatePending(this, approvalId, (p) => (p.announced = true));
  }
  setPollInterval(approvalId: string, intervalMs: number): void {
    approvals.updatePending(this, approvalId, (p) => (p.pollIntervalMs = intervalMs));
  }
  markReminderSent(approvalId: string, offsetsMs: number[]): void {
    approvals.updatePending(this, approvalId, (p) =>
      p.remindersSentMs.push(...offsetsMs.filter((o) => !p.remindersSentMs.includes(o))),
    );
  }
  /**
   * The approval left `pending`: record the outcome and apply a confirmation. A declined funding frees its
   * reservation (nothing moved); an expired one keeps it while it may be requested again.
   */
  approvalClosed(now: string, approval: ApprovalSnapshot): PendingApprovalRecord | undefined {
    const pending = approvals.removeClosed(this, now, approval);
    if (!pending) return undefined;
    if (approval.status === 'confirmed') {
      milestones.applyConfirmedMove(this, now, pending, approval);
      if (pending.action === 'end') this.ended(now, 'end confirmed by the human');
    } else if (pending.action === 'fund' && approval.status === 'declined') {
      this.dropReservation(pending.milestoneId);
    }
    if (
      pending.action === 'end' &&
      approval.status !== 'confirmed' &&
      this.s.phase === 'awaiting_end_approval'
    )
      this.setPhase(now, 'active');
    return pending;
  }
  park(now: string, item: ParkedItem): void {
    approvals.park(this, now, item);
  }
  unpark(now: string, item: ParkedItem): void {
    this.s.parked = this.s.parked.filter((p) => p !== item && p.approvalId !== item.approvalId);
    if (item.action === 'hire') {
      this.s.hireAttempt = 1;
      this.startPreconditionCheck(now);
    }
    this.record(now, 'retry', `${item.action}${item.milestoneId ? ` ${item.milestoneId}` : ''}`);
  }
}
