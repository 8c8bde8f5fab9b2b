import * as approvals from './engagement-approvals';
import type { SignalOutcome } from './engagement-approvals';
import { HISTORY_LIMIT, type EngagementSnapshot, type PendingApprovalRecord } from './engagement-model';
import type { Blocker } from './engagement-view';
import type { IntentRecord } from './intents';
import type { EngagementPolicy } from './inputs';
import type { Phase } from './phases';
import { TERMINAL_PHASES } from './phases';

/**
 * What every concern module of the engagement (hire, milestones, budget, approvals, guards) works on: the plain
 * snapshot, and the one way to write down what changed. `EngagementJournal` is the implementation.
 */
export interface Journal {
  readonly s: EngagementSnapshot;
  record(now: string, kind: string, detail: string): void;
  setPhase(now: string, phase: Phase): void;
}

/**
 * The engagement's state and its journal: phase, history, blockers, the activities in flight and the inbox of
 * `approvalResolved` signals. `EngagementMachine` adds the rules of hire, milestones, budget and approvals.
 */
export class EngagementJournal implements Journal {
  /** Grows with every recorded change, so observers (search attributes) know when to look again. */
  private revisionCount = 0;

  protected constructor(readonly s: EngagementSnapshot) {
    s.intents ??= [];
  }

  get snapshot(): EngagementSnapshot {
    return this.s;
  }

  get revision(): number {
    return this.revisionCount;
  }

  get phase(): Phase {
    return this.s.phase;
  }

  get policy(): EngagementPolicy {
    return this.s.policy;
  }

  get intents(): IntentRecord[] {
    return this.s.intents as IntentRecord[];
  }

  isTerminal(): boolean {
    return TERMINAL_PHASES.includes(this.s.phase);
  }

  record(now: string, kind: string, detail: string): void {
    this.s.history.push({ at: now, kind, detail });
    if (this.s.history.length > HISTORY_LIMIT)
      this.s.history.splice(0, this.s.history.length - HISTORY_LIMIT);
    this.s.updatedAt = now;
    this.revisionCount += 1;
  }

  setPhase(now: string, phase: Phase): void {
    if (this.s.phase === phase) return;
    this.s.phase = phase;
    this.record(now, 'phase', phase);
  }

  /** A change worth re-publishing that is not a history line (e.g. the contract became stale). */
  touch(): void {
    this.revisionCount += 1;
  }

  startPreconditionCheck(now: string): void {
    this.s.recheckRequested = false;
    this.setPhase(now, 'checking_preconditions');
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

  /** An access problem outside the hire phase: shown beside the phase; true when it is news. */
  addAccessBlocker(now: string, blocker: Blocker): boolean {
    if (this.s.blockers.some((b) => b.kind === blocker.kind && b.message === blocker.message)) return false;
    this.s.blockers = [...this.s.blockers.filter((b) => b.kind !== blocker.kind), blocker];
    this.record(now, 'blocked', `${blocker.kind}: ${blocker.message}`);
    return true;
  }

  clearAccessBlocker(now: string): void {
    if (!this.s.blockers.some((b) => b.kind === 'opentrain_access')) return;
    this.s.blockers = this.s.blockers.filter((b) => b.kind !== 'opentrain_access');
    this.record(now, 'unblocked', 'opentrain_access: rechecking');
  }

  /** The operator cancelled the engagement: approvals still open on OpenTrain stay listed for the human. */
  cancelled(now: string): void {
    const open = this.s.pending.map((p) => `${p.type} ${p.approvalId} (${p.approvalUrl})`);
    this.record(
      now,
      'cancelled',
      open.length ? `still open on OpenTrain: ${open.join(', ')}` : 'nothing open',
    );
    this.setPhase(now, 'cancelled');
  }

  fail(now: string, reason: string): void {
    this.s.failureReason = reason;
    this.s.blockers = [];
    this.setPhase(now, 'failed');
  }

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

  hasOperationsInFlight(): boolean {
    return this.s.inFlight.length > 0;
  }

  pendingApprovals(): readonly PendingApprovalRecord[] {
    return this.s.pending;
  }

  noteResolution(approvalId: string, status: string): SignalOutcome {
    return approvals.noteResolution(this, approvalId, status);
  }

  signalledStatus(approvalId: string): string | undefined {
    return this.s.signalled[approvalId];
  }

  consumeSignal(approvalId: string): void {
    delete this.s.signalled[approvalId];
  }

  /** Earliest `expiresAt` among pending approvals (NextApprovalExpiry), undefined when none is pending. */
  nextApprovalExpiry(): string | undefined {
    return approvals.nextApprovalExpiry(this);
  }
}
