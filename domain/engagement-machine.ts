import type { Blocker, ParkedItem } from './engagement-view';
import { EngagementRuleError } from './engagement-errors';
import {
  ACTIVE_FUNDED,
  NOT_FUNDED,
  RELEASED_STATUS,
  isFundedOrLater,
  isReleased,
  isWithdrawn,
  statusOnceUnlistedAfterEnd,
} from './engagement-milestone-status';
import {
  APPROVAL_TYPE_BY_ACTION,
  CLOSED_APPROVALS_LIMIT,
  EARLY_SIGNAL_LIMIT,
  HISTORY_LIMIT,
  type ApprovalAction,
  type ApprovalSnapshot,
  type ContractSnapshot,
  type EngagementSnapshot,
  type FirstMilestoneTerms,
  type MilestoneEvidence,
  type MilestoneRecord,
  type MilestoneSnapshot,
  type PendingApprovalRecord,
} from './engagement-model';
import type { EngagementPolicy } from './inputs';
import { formatCents, fundChargeCents, hireChargeCents } from './money';
import type { Phase } from './phases';
import { TERMINAL_PHASES } from './phases';

export interface NewEngagement {
  engagementId: string;
  proposalId: string;
  policy: EngagementPolicy;
  budgetCents?: number;
  firstMilestone: FirstMilestoneTerms;
  confirmNotFitOverride?: boolean;
}

/** In-flight keys of requests that create approvals (`hire`, `fund:<id>`, `release:<id>`, `end`). */
const REQUEST_KEY = /^(hire|end|fund:|release:)/;

/** What became of an `approvalResolved` signal. */
export type SignalOutcome = 'applied' | 'buffered' | 'stale' | 'unknown';

/**
 * The engagement state machine: every transition and every guard, pure and synchronous. The workflow calls it
 * from thin handlers; `now` (ISO) is passed in so the class stays free of clocks.
 */
export class EngagementMachine {
  /** Grows with every recorded change, so observers (search attributes) know when to look again. */
  private revisionCount = 0;

  private constructor(private readonly s: EngagementSnapshot) {}

  get revision(): number {
    return this.revisionCount;
  }

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
      history: [],
      updatedAt: now,
    });
    machine.record(now, 'started', `engagement for proposal ${init.proposalId}`);
    return machine;
  }

  /** Resume from a snapshot carried across continue-as-new (a copy: the machine owns its state). */
  static restore(snapshot: EngagementSnapshot): EngagementMachine {
    return new EngagementMachine(structuredCloneJson(snapshot));
  }

  get snapshot(): EngagementSnapshot {
    return this.s;
  }

  get phase(): Phase {
    return this.s.phase;
  }

  get policy(): EngagementPolicy {
    return this.s.policy;
  }

  isTerminal(): boolean {
    return TERMINAL_PHASES.includes(this.s.phase);
  }

  // ---------- history and phases ----------

  record(now: string, kind: string, detail: string): void {
    this.s.history.push({ at: now, kind, detail });
    if (this.s.history.length > HISTORY_LIMIT)
      this.s.history.splice(0, this.s.history.length - HISTORY_LIMIT);
    this.s.updatedAt = now;
    this.revisionCount += 1;
  }

  private setPhase(now: string, phase: Phase): void {
    if (this.s.phase === phase) return;
    this.s.phase = phase;
    this.record(now, 'phase', phase);
  }

  startPreconditionCheck(now: string): void {
    this.s.recheckRequested = false;
    this.setPhase(now, 'checking_preconditions');
  }

  /** Returns whether the blockers changed (the human is told only about news). */
  block(now: string, blockers: Blocker[]): boolean {
    const changed = JSON.stringify(this.s.blockers) !== JSON.stringify(blockers);
    this.s.blockers = blockers;
    this.setPhase(now, 'blocked');
    if (changed) this.record(now, 'blocked', blockers.map((b) => `${b.kind}: ${b.message}`).join(' | '));
    return changed;
  }

  isBlockedOn(kind: string): boolean {
    return this.s.phase === 'blocked' && this.s.blockers.some((b) => b.kind === kind);
  }

  requestRecheck(now: string): void {
    this.s.recheckRequested = true;
    this.record(now, 'recheck_requested', 'preconditions will be checked again');
  }

  clearRecheck(): void {
    this.s.recheckRequested = false;
  }

  get recheckRequested(): boolean {
    return this.s.recheckRequested;
  }

  fail(now: string, reason: string): void {
    this.s.failureReason = reason;
    this.s.blockers = [];
    this.setPhase(now, 'failed');
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
    this.checkOpen();
    if (this.s.contractId) throw new EngagementRuleError('already_hired', 'the proposal is already hired');
  }

  confirmNotFitOverride(now: string): void {
    this.s.confirmNotFit = true;
    this.record(now, 'not_fit_confirmed', 'hire despite the "Not a fit" mark');
  }

  /** OpenTrain asked for the "Not a fit" confirmation; true when we may re-send with the override. */
  notFitConfirmationRequired(now: string): boolean {
    this.s.notFitSeen = true;
    this.record(
      now,
      'not_fit_confirmation_required',
      this.s.confirmNotFit ? 're-sending with the override' : 'waiting for confirmNotFit',
    );
    return this.s.confirmNotFit;
  }

  /** Send `confirmNotFitOverride` only after OpenTrain asked for it and the input or a human confirmed it. */
  hireOverride(): boolean {
    return this.s.notFitSeen && this.s.confirmNotFit;
  }

  get createUncertain(): boolean {
    return this.s.createUncertain;
  }

  setCreateUncertain(value: boolean): void {
    this.s.createUncertain = value;
  }

  hireRequested(now: string, approval: ApprovalSnapshot): PendingApprovalRecord {
    if (approval.jobId) this.s.jobId = approval.jobId;
    this.s.blockers = [];
    const pending = this.addPending(now, 'hire', approval, this.s.hireAttempt, undefined);
    this.setPhase(now, 'awaiting_hire_approval');
    return pending;
  }

  /** The hire expired: ask again (true) while the policy allows, else park it until `retry` (false). */
  hireExpired(now: string, approvalId: string): boolean {
    if (this.s.hireAttempt <= this.s.policy.maxReRequestsAfterExpiry) {
      this.s.hireAttempt += 1;
      this.setPhase(now, 'checking_preconditions');
      return true;
    }
    this.park(now, { action: 'hire', approvalId, reason: 'expired' });
    this.block(now, [
      {
        kind: 'approval_expired',
        message: 'The hire approval expired too many times; send `retry` to request it again.',
      },
    ]);
    return false;
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

  /** The hire is done (confirmed, or found already accepted): adopt the contract as the human confirmed it. */
  hired(now: string, contract: ContractSnapshot): void {
    this.s.hiredContractId = undefined;
    this.s.contractId = contract.id;
    this.s.jobId = contract.jobId;
    this.s.trainer = contract.trainer;
    this.s.jobDmConversationId = contract.jobDmConversationId ?? undefined;
    this.s.blockers = [];
    this.s.parked = this.s.parked.filter((p) => p.action !== 'hire');
    const firstNumber = Math.min(
      ...contract.milestones.map((m) => m.milestoneNumber ?? Number.MAX_SAFE_INTEGER),
    );
    for (const m of contract.milestones) this.upsertMilestone(now, m, m.milestoneNumber === firstNumber);
    this.record(now, 'hired', `contract ${contract.id} with ${contract.trainer.displayName}`);
    this.setPhase(now, contract.status === 'ended' ? 'ended' : 'active');
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
    return this.s.milestones.find((m) => m.id === id);
  }

  markContractStale(): void {
    this.s.contractStale = true;
    this.revisionCount += 1;
  }

  markContractFresh(): void {
    this.s.contractStale = false;
  }

  get contractStale(): boolean {
    return this.s.contractStale;
  }

  /** A fresh contract read wins over what we recorded (the human may have acted in the app). */
  syncContract(now: string, contract: ContractSnapshot): void {
    this.s.contractStale = false;
    for (const m of contract.milestones) this.upsertMilestone(now, m, false);
    if (contract.status === 'ended' && this.s.phase !== 'ended')
      this.ended(now, 'contract ended on OpenTrain');
  }

  /**
   * The contract read once more after it ended settles what OpenTrain did with the escrow: milestones still
   * listed take their listed status; the ones no longer listed are judged by `statusOnceUnlistedAfterEnd`
   * (a funded one was refunded).
   */
  reconcileEnded(now: string, contract: ContractSnapshot): void {
    // An ended contract takes no more funding or release: approvals still pending can never execute.
    for (const pending of this.s.pending) this.closeApprovalId(pending.approvalId);
    if (this.s.pending.length)
      this.record(
        now,
        'approvals_closed',
        `${this.s.pending.map((p) => p.approvalId).join(', ')}: contract ended`,
      );
    this.s.pending = [];
    const listed = new Set(contract.milestones.map((m) => m.id));
    for (const m of contract.milestones) this.upsertMilestone(now, m, false);
    for (const record of this.s.milestones) {
      if (listed.has(record.id)) continue;
      const status = statusOnceUnlistedAfterEnd(record.status);
      if (status === record.status) continue;
      record.status = status;
      record.budgetReserved = false;
      this.record(now, 'reconciled', `milestone ${record.id} is ${status} after the end`);
    }
    this.record(now, 'contract_settled', `contract ${contract.id} read after the end`);
  }

  milestoneCreated(now: string, milestone: MilestoneSnapshot): MilestoneRecord {
    const record = this.upsertMilestone(now, milestone, false);
    this.record(now, 'milestone_created', `${milestone.id} (${formatCents(record.amountCents)})`);
    return record;
  }

  private upsertMilestone(now: string, m: MilestoneSnapshot, viaHire: boolean): MilestoneRecord {
    let record = this.milestone(m.id);
    if (!record) {
      record = {
        id: m.id,
        name: m.name,
        description: m.description,
        amountCents: m.amountCents ?? 0,
        status: m.status,
        dueDate: m.dueDate,
        viaHire,
        budgetReserved: false,
      };
      this.s.milestones.push(record);
    }
    record.name = m.name;
    record.description = m.description;
    record.amountCents = m.amountCents ?? record.amountCents;
    record.dueDate = m.dueDate;
    record.status = m.status;
    if (m.invoiceId) record.evidence = { ...record.evidence, invoiceId: m.invoiceId };
    if (isWithdrawn(m.status)) record.budgetReserved = false;
    else if (isFundedOrLater(m.status)) {
      record.fundedAt ??= now;
      record.budgetReserved = !record.viaHire;
    }
    if (isReleased(m.status)) record.releasedAt ??= now;
    return record;
  }

  // ---------- guards (synchronous, used by update validators and again before acting) ----------

  private checkOpen(): void {
    if (this.isTerminal())
      throw new EngagementRuleError('engagement_closed', `the engagement is ${this.s.phase}`);
  }

  private checkContractActive(): void {
    this.checkOpen();
    if (!this.s.contractId || this.s.phase === 'awaiting_hire_approval')
      throw new EngagementRuleError('contract_not_active', 'the contract is not active yet');
    if (this.s.phase === 'awaiting_end_approval' || this.isInFlight('end'))
      throw new EngagementRuleError('contract_not_active', 'the contract is being ended');
  }

  private requireMilestone(id: string): MilestoneRecord {
    const m = this.milestone(id);
    if (!m)
      throw new EngagementRuleError('unknown_milestone', `milestone ${id} is not part of this contract`);
    return m;
  }

  checkAddMilestone(amountCents: number, fund: boolean): void {
    this.checkContractActive();
    if (fund) this.checkBudget(amountCents);
  }

  checkFund(milestoneId: string): void {
    this.checkContractActive();
    const m = this.requireMilestone(milestoneId);
    if (m.status !== NOT_FUNDED)
      throw new EngagementRuleError('milestone_not_fundable', `milestone ${milestoneId} is ${m.status}`);
    if (this.isInFlight(`fund:${milestoneId}`) || this.pendingFor('fund', milestoneId))
      throw new EngagementRuleError('already_in_progress', `funding of ${milestoneId} is already requested`);
    this.checkBudget(m.amountCents);
  }

  checkRelease(milestoneId: string): void {
    this.checkContractActive();
    const m = this.requireMilestone(milestoneId);
    if (m.status !== ACTIVE_FUNDED)
      throw new EngagementRuleError(
        'milestone_not_funded',
        `milestone ${milestoneId} is ${m.status}, not ACTIVE_FUNDED`,
      );
    if (this.isInFlight(`release:${milestoneId}`) || this.pendingFor('release', milestoneId))
      throw new EngagementRuleError('already_in_progress', `release of ${milestoneId} is already requested`);
  }

  checkEnd(): void {
    this.checkContractActive();
  }

  /** The parked item a `retry` refers to. */
  checkRetry(ref: { approvalId?: string; milestoneId?: string }): ParkedItem {
    this.checkOpen();
    const item = this.s.parked.find(
      (p) =>
        (ref.approvalId && p.approvalId === ref.approvalId) ||
        (ref.milestoneId && p.milestoneId === ref.milestoneId),
    );
    if (!item) throw new EngagementRuleError('nothing_to_retry', 'no expired or declined request matches');
    if (item.action !== 'hire' && item.action !== 'end' && item.milestoneId) {
      if (item.action === 'fund') this.checkFund(item.milestoneId);
      else this.checkRelease(item.milestoneId);
    }
    if (item.action === 'end') this.checkEnd();
    return item;
  }

  // ---------- budget ----------

  /** Money committed so far: the hire charge plus every funded (or being funded) later milestone, fees included. */
  committedCents(): number {
    const hireMilestone = this.s.milestones.find((m) => m.viaHire);
    const hire = hireChargeCents(
      hireMilestone ? hireMilestone.amountCents : this.s.firstMilestone.amountCents,
    );
    return this.s.milestones.reduce(
      (sum, m) => sum + (m.budgetReserved ? fundChargeCents(m.amountCents) : 0),
      hire,
    );
  }

  private checkBudget(amountCents: number): void {
    if (this.s.budgetCents === undefined) return;
    const after = this.committedCents() + fundChargeCents(amountCents);
    if (after > this.s.budgetCents)
      throw new EngagementRuleError(
        'budget_exceeded',
        `funding ${formatCents(amountCents)} (+10% fee) would commit ${formatCents(after)}, over the budget of ${formatCents(this.s.budgetCents)}`,
      );
  }

  reserveFunding(milestoneId: string): void {
    this.requireMilestone(milestoneId).budgetReserved = true;
  }

  /** The funding did not happen (declined, expired, failed): it no longer counts against the budget. */
  dropReservation(milestoneId: string | undefined): void {
    const m = milestoneId ? this.milestone(milestoneId) : undefined;
    if (m && !m.fundedAt) m.budgetReserved = false;
  }

  // ---------- operations in flight ----------

  beginOperation(key: string): void {
    this.s.inFlight.push(key);
  }

  endOperation(key: string): void {
    const i = this.s.inFlight.indexOf(key);
    if (i >= 0) this.s.inFlight.splice(i, 1);
  }

  isInFlight(key: string): boolean {
    return this.s.inFlight.includes(key);
  }

  /** A money-moving request is on its way: its approval id may be signalled before we learn it. */
  private requestInFlight(): boolean {
    return this.s.inFlight.some((k) => REQUEST_KEY.test(k));
  }

  hasOperationsInFlight(): boolean {
    return this.s.inFlight.length > 0;
  }

  // ---------- approvals ----------

  pendingApprovals(): readonly PendingApprovalRecord[] {
    return this.s.pending;
  }

  pendingFor(action: ApprovalAction, milestoneId?: string): PendingApprovalRecord | undefined {
    return this.s.pending.find((p) => p.action === action && p.milestoneId === milestoneId);
  }

  approvalRequested(
    now: string,
    action: Exclude<ApprovalAction, 'hire'>,
    approval: ApprovalSnapshot,
    attempt: number,
    milestoneId?: string,
  ): PendingApprovalRecord {
    const pending = this.addPending(now, action, approval, attempt, milestoneId);
    if (milestoneId) {
      const m = this.requireMilestone(milestoneId);
      if (action === 'fund') m.fundApprovalId = approval.id;
      if (action === 'release') m.releaseApprovalId = approval.id;
    }
    if (action === 'end') this.setPhase(now, 'awaiting_end_approval');
    return pending;
  }

  private addPending(
    now: string,
    action: ApprovalAction,
    approval: ApprovalSnapshot,
    attempt: number,
    milestoneId: string | undefined,
  ): PendingApprovalRecord {
    const existing = this.s.pending.find((p) => p.approvalId === approval.id);
    if (existing) return existing; // OpenTrain returned the same pending approval: nothing new to wait for.
    const pending: PendingApprovalRecord = {
      approvalId: approval.id,
      action,
      type: approval.type || APPROVAL_TYPE_BY_ACTION[action],
      milestoneId,
      approvalUrl: approval.approvalUrl,
      expiresAt: approval.expiresAt,
      createdAt: approval.createdAt,
      attempt,
      announced: false,
      remindersSentMs: [],
    };
    this.s.pending.push(pending);
    this.s.parked = this.s.parked.filter((p) => !(p.action === action && p.milestoneId === milestoneId));
    this.record(now, 'approval_requested', `${pending.type} ${approval.id} (attempt ${attempt})`);
    return pending;
  }

  /** Late signals for a closed approval are recognised as stale. */
  private closeApprovalId(approvalId: string): void {
    delete this.s.signalled[approvalId];
    this.s.closedApprovalIds.push(approvalId);
    if (this.s.closedApprovalIds.length > CLOSED_APPROVALS_LIMIT) this.s.closedApprovalIds.shift();
  }

  markAnnounced(approvalId: string): void {
    const p = this.s.pending.find((x) => x.approvalId === approvalId);
    if (p) p.announced = true;
  }

  setPollInterval(approvalId: string, intervalMs: number): void {
    const p = this.s.pending.find((x) => x.approvalId === approvalId);
    if (p) p.pollIntervalMs = intervalMs;
  }

  markReminderSent(approvalId: string, offsetsMs: number[]): void {
    const p = this.s.pending.find((x) => x.approvalId === approvalId);
    if (p) p.remindersSentMs.push(...offsetsMs.filter((o) => !p.remindersSentMs.includes(o)));
  }

  /** The approval left `pending`: record the outcome and its evidence. Returns the record it closed. */
  approvalClosed(now: string, approval: ApprovalSnapshot): PendingApprovalRecord | undefined {
    const pending = this.s.pending.find((p) => p.approvalId === approval.id);
    if (!pending) return undefined;
    this.s.pending = this.s.pending.filter((p) => p !== pending);
    this.closeApprovalId(approval.id);
    this.record(now, `approval_${approval.status}`, `${pending.type} ${approval.id}`);
    if (approval.status === 'confirmed') this.applyConfirmed(now, pending, approval);
    else if (pending.action === 'fund') this.dropReservation(pending.milestoneId);
    if (
      pending.action === 'end' &&
      approval.status !== 'confirmed' &&
      this.s.phase === 'awaiting_end_approval'
    )
      this.setPhase(now, 'active');
    return pending;
  }

  private applyConfirmed(now: string, pending: PendingApprovalRecord, approval: ApprovalSnapshot): void {
    const result = approval.result ?? {};
    const m = pending.milestoneId ? this.milestone(pending.milestoneId) : undefined;
    if (pending.action === 'fund' && m) {
      m.status = ACTIVE_FUNDED;
      m.fundedAt ??= now;
      m.budgetReserved = true;
      m.evidence = { ...m.evidence, ...pickEvidence(result, ['invoiceId', 'paymentIntentId']) };
    }
    if (pending.action === 'release' && m) {
      m.status = RELEASED_STATUS;
      m.releasedAt ??= now;
      m.evidence = { ...m.evidence, ...pickEvidence(result, ['invoiceId', 'payoutTransactionId']) };
    }
    if (pending.action === 'end') this.ended(now, 'end confirmed by the human');
  }

  /** A funding request found the milestone already funded (409 reconciled by a contract read). */
  milestoneAlreadyFunded(now: string, milestone: MilestoneSnapshot): void {
    this.upsertMilestone(now, milestone, false);
    this.record(now, 'reconciled', `milestone ${milestone.id} was already funded`);
  }

  ended(now: string, detail: string): void {
    this.s.pending = this.s.pending.filter((p) => p.action === 'fund' || p.action === 'release');
    this.record(now, 'ended', detail);
    this.setPhase(now, 'ended');
  }

  park(now: string, item: ParkedItem): void {
    this.s.parked = this.s.parked.filter(
      (p) => !(p.action === item.action && p.milestoneId === item.milestoneId),
    );
    this.s.parked.push(item);
    this.record(
      now,
      'parked',
      `${item.action}${item.milestoneId ? ` ${item.milestoneId}` : ''}: ${item.reason}`,
    );
  }

  unpark(now: string, item: ParkedItem): void {
    this.s.parked = this.s.parked.filter((p) => p !== item && p.approvalId !== item.approvalId);
    if (item.action === 'hire') {
      this.s.hireAttempt = 1;
      this.startPreconditionCheck(now);
    }
    this.record(now, 'retry', `${item.action}${item.milestoneId ? ` ${item.milestoneId}` : ''}`);
  }

  // ---------- the approvalResolved signal ----------

  noteResolution(approvalId: string, status: string): SignalOutcome {
    if (this.s.pending.some((p) => p.approvalId === approvalId)) {
      this.s.signalled[approvalId] = status;
      return 'applied';
    }
    if (this.s.closedApprovalIds.includes(approvalId)) return 'stale';
    if (!this.requestInFlight()) return 'unknown';
    // The request that created it may still be returning: keep it (bounded) so the wait sees it.
    this.s.signalled[approvalId] = status;
    const ids = Object.keys(this.s.signalled);
    if (ids.length > EARLY_SIGNAL_LIMIT) delete this.s.signalled[ids[0] as string];
    return 'buffered';
  }

  signalledStatus(approvalId: string): string | undefined {
    return this.s.signalled[approvalId];
  }

  consumeSignal(approvalId: string): void {
    delete this.s.signalled[approvalId];
  }

  // ---------- search attributes ----------

  /** Earliest `expiresAt` among pending approvals (NextApprovalExpiry), undefined when none is pending. */
  nextApprovalExpiry(): string | undefined {
    return this.s.pending.map((p) => p.expiresAt).sort()[0];
  }
}

function pickEvidence(result: Record<string, unknown>, keys: (keyof MilestoneEvidence)[]): MilestoneEvidence {
  const out: MilestoneEvidence = {};
  for (const key of keys) {
    const value = result[key];
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

function structuredCloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
