import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ApprovalSnapshot, ContractSnapshot, MilestoneSnapshot } from '../../../domain/engagement-model';
import { fundChargeCents, hireChargeCents } from '../../../domain/money';
import { approvalSnapshot, milestoneSnapshot } from '../../domain/snapshot-fixtures';
import { apiFailure } from './fake-opentrain';

/**
 * One engagement's OpenTrain for the model-based test: its contract, milestones and approvals, and the human. It
 * follows OpenTrain's semantics as the activities present them: a fund, release or end asked again while pending
 * returns the same approval; fund of a milestone that is not NOT_FUNDED → 409 `milestone_not_fundable`
 * (reconciled to `already_funded` when it is funded); release of one that is not ACTIVE_FUNDED → 409
 * `milestone_not_funded`; an end with funded milestones needs an approval, else it ends at once; an ended contract
 * refunds its escrow (REFUNDED, hidden from the timeline). Expiry is the human's (the model's) choice, so no clock
 * is involved. It counts what the human's confirmations executed, for the invariants.
 */

const HIDDEN = new Set(['REFUNDED', 'CANCELLED']);
const TTL_MS = 72 * 60 * 60 * 1000;

export interface WorldMilestone extends MilestoneSnapshot {
  fundsExecuted: number;
  releasesExecuted: number;
}

export type HumanDecision = 'confirm' | 'decline' | 'expire';

export class ModelWorld {
  readonly milestones: WorldMilestone[] = [];
  readonly approvals: ApprovalSnapshot[] = [];
  /** Every API request the engagement made (first attempts and retries), notifications excluded. */
  readonly requests: { name: string; attempt: number; input: unknown }[] = [];
  /** Money rules OpenTrain itself would not catch, seen as they happened (double execution, budget overrun). */
  readonly violations: string[] = [];
  contractStatus: 'none' | 'active' | 'ended' = 'none';
  chargedCents = 0;
  /** The first milestone's amount the hire asked for (the human may edit it when confirming). */
  private hireTermsCents = 0;
  /** In-doubt faults thrown so far (the test reports how many runs met one). */
  faultsInjected = 0;
  private writes = 0;
  private seq = 0;

  /**
   * @param inDoubtAt ordinals (1-based) of first attempts of write requests that fail in doubt: an odd ordinal
   *   commits and then answers a retryable 503, an even one fails before committing. Keyed by ordinal so a replay
   *   of the same command sequence meets the same faults (fast-check shrinking needs that).
   */
  constructor(
    readonly workflowId: string,
    readonly budgetCents: number | undefined,
    private readonly inDoubtAt: ReadonlySet<number>,
  ) {}

  get contractId(): string {
    return `ctr_${this.workflowId}`;
  }

  live(): ApprovalSnapshot[] {
    return this.approvals.filter((a) => a.status === 'pending');
  }

  liveFor(type: string, milestoneId: string | null): ApprovalSnapshot | undefined {
    return this.live().find((a) => a.type === type && a.milestoneId === milestoneId);
  }

  milestone(id: string): WorldMilestone | undefined {
    return this.milestones.find((m) => m.id === id);
  }

  contract(): ContractSnapshot {
    return {
      id: this.contractId,
      status: this.contractStatus === 'ended' ? 'ended' : 'active',
      jobId: 'job_1',
      proposalId: this.workflowId,
      trainer: { displayName: 'Maria G.', profilePath: '/profile/maria-g' },
      jobDmConversationId: 'conv_1',
      milestones: this.milestones.filter((m) => !HIDDEN.has(m.status)).map(snapshotOf),
    };
  }

  // ---------------------------------------------------------------- the human, in the OpenTrain app

  /**
   * The human acts on a pending approval. Confirming executes it as OpenTrain would; an action OpenTrain cannot
   * execute (its 409) leaves the approval pending and returns false. `hireAmountCents` is the human's edit.
   */
  decide(approvalId: string, decision: HumanDecision, hireAmountCents?: number): boolean {
    const approval = this.approvals.find((a) => a.id === approvalId);
    if (!approval || approval.status !== 'pending') throw new Error(`approval ${approvalId} is not pending`);
    if (decision === 'confirm' && !this.execute(approval, hireAmountCents)) return false;
    approval.status = decision === 'confirm' ? 'confirmed' : decision === 'decline' ? 'declined' : 'expired';
    approval.resolvedAt = new Date().toISOString();
    return true;
  }

  private execute(approval: ApprovalSnapshot, hireAmountCents: number | undefined): boolean {
    const m = approval.milestoneId ? this.milestone(approval.milestoneId) : undefined;
    if (approval.type !== 'proposal_hire' && this.contractStatus === 'ended') return false;
    switch (approval.type) {
      case 'proposal_hire': {
        const amountCents = hireAmountCents ?? this.hireTermsCents;
        this.contractStatus = 'active';
        this.newMilestone(amountCents, 'first batch', null).status = 'ACTIVE_FUNDED';
        this.milestones[0]!.fundsExecuted = 1;
        this.charge(hireChargeCents(amountCents), 'the hire');
        approval.contractId = this.contractId;
        approval.result = { hired: true, contractId: this.contractId, jobId: 'job_1' };
        return true;
      }
      case 'milestone_fund':
        // OpenTrain would refuse it (409), but a second funding approval the human can confirm must never exist.
        if (m && m.fundsExecuted > 0)
          this.violations.push(`a second funding of ${m.id} was confirmed (${approval.id})`);
        if (!m || m.status !== 'NOT_FUNDED') return false;
        m.fundsExecuted += 1;
        m.status = 'ACTIVE_FUNDED';
        this.charge(fundChargeCents(m.amountCents ?? 0), `funding ${m.id}`);
        approval.result = { invoiceId: `inv_${approval.id}`, paymentIntentId: `pi_${approval.id}` };
        return true;
      case 'milestone_approve':
        if (m && m.releasesExecuted > 0)
          this.violations.push(`a second release of ${m.id} was confirmed (${approval.id})`);
        if (!m || m.status !== 'ACTIVE_FUNDED') return false;
        m.releasesExecuted += 1;
        m.status = 'PAID';
        approval.result = { invoiceId: `inv_${approval.id}`, payoutTransactionId: `po_${approval.id}` };
        return true;
      default:
        this.endNow();
        approval.result = { contractEnded: true };
        return true;
    }
  }

  private charge(cents: number, what: string): void {
    this.chargedCents += cents;
    if (this.budgetCents !== undefined && this.chargedCents > this.budgetCents)
      this.violations.push(
        `${what} took the charges to ${this.chargedCents}¢, over the budget ${this.budgetCents}¢`,
      );
  }

  private endNow(): void {
    this.contractStatus = 'ended';
    for (const m of this.milestones) if (m.status === 'ACTIVE_FUNDED') m.status = 'REFUNDED';
  }

  private newMilestone(amountCents: number, description: string, name: string | null): WorldMilestone {
    const n = this.milestones.length + 1;
    const m: WorldMilestone = {
      ...milestoneSnapshot(`mil_${n}`, amountCents, 'NOT_FUNDED', n),
      description,
      name,
      fundsExecuted: 0,
      releasesExecuted: 0,
    };
    this.milestones.push(m);
    return m;
  }

  private newApproval(type: string, milestoneId: string | null) {
    this.seq += 1;
    const id = `apr_${this.seq}`;
    const now = Date.now();
    const approval = approvalSnapshot(id, type, 'pending', {
      contractId: type === 'proposal_hire' ? null : this.contractId,
      milestoneId,
      approvalUrl: `https://sandbox.test/approvals/${id}`,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + TTL_MS).toISOString(),
    });
    this.approvals.push(approval);
    return approval;
  }

  // ---------------------------------------------------------------- the API, as the activities present it

  /** Records the request; a planned in-doubt fault throws before or after `commit` runs. */
  write<T>(name: string, input: unknown, commit: () => T): T {
    const { attempt } = activityInfo();
    this.requests.push({ name, attempt, input });
    const ordinal = attempt === 1 ? ++this.writes : 0;
    const fault = this.inDoubtAt.has(ordinal);
    if (fault) this.faultsInjected += 1;
    if (fault && ordinal % 2 === 0) throw inDoubt(name, false);
    const result = commit();
    if (fault) throw inDoubt(name, true);
    return structuredClone(result);
  }

  read<T>(name: string, input: unknown, answer: () => T): T {
    this.requests.push({ name, attempt: activityInfo().attempt, input });
    return structuredClone(answer());
  }

  requestHire(amountCents: number) {
    if (this.contractStatus !== 'none') return { kind: 'already_hired' as const, contract: this.contract() };
    this.hireTermsCents = amountCents;
    const approval = this.liveFor('proposal_hire', null) ?? this.newApproval('proposal_hire', null);
    return { kind: 'requested' as const, approval };
  }

  createMilestone(input: { description: string; name?: string; amountCents: number }, adoptFrom?: string[]) {
    if (this.contractStatus === 'ended') throw apiFailure('contract_ended');
    // The activity's own reconciliation: a retried creation adopts the milestone an earlier attempt committed.
    const earlier =
      adoptFrom &&
      this.contract().milestones.find(
        (m) =>
          !adoptFrom.includes(m.id) &&
          m.description === input.description &&
          m.amountCents === input.amountCents &&
          (m.name ?? undefined) === input.name,
      );
    return snapshotOf(earlier ?? this.newMilestone(input.amountCents, input.description, input.name ?? null));
  }

  requestFunding(milestoneId: string) {
    const m = this.openMilestone(milestoneId);
    const live = this.liveFor('milestone_fund', milestoneId);
    if (live) return { kind: 'requested' as const, approval: live };
    if (m.status === 'NOT_FUNDED')
      return { kind: 'requested' as const, approval: this.newApproval('milestone_fund', milestoneId) };
    // The activity reads the contract after the 409: a funded milestone proves the funding happened.
    if (m.status === 'ACTIVE_FUNDED' || m.status === 'PAID')
      return { kind: 'already_funded' as const, milestone: snapshotOf(m) };
    throw apiFailure('milestone_not_fundable');
  }

  requestRelease(milestoneId: string) {
    const m = this.openMilestone(milestoneId);
    const live = this.liveFor('milestone_approve', milestoneId);
    if (live) return live;
    if (m.status !== 'ACTIVE_FUNDED') throw apiFailure('milestone_not_funded');
    return this.newApproval('milestone_approve', milestoneId);
  }

  requestContractEnd() {
    // A 409 contract_ended is reconciled by the activity as "ended".
    if (this.contractStatus === 'ended') return { kind: 'ended' as const };
    const live = this.liveFor('contract_end', null);
    if (live) return { kind: 'approval' as const, approval: live };
    if (this.milestones.some((m) => m.status === 'ACTIVE_FUNDED'))
      return { kind: 'approval' as const, approval: this.newApproval('contract_end', null) };
    this.endNow();
    return { kind: 'ended' as const };
  }

  private openMilestone(milestoneId: string): WorldMilestone {
    if (this.contractStatus === 'ended') throw apiFailure('contract_ended');
    const m = this.milestone(milestoneId);
    if (!m || HIDDEN.has(m.status)) throw apiFailure('NOT_FOUND');
    return m;
  }
}

function snapshotOf(m: MilestoneSnapshot): MilestoneSnapshot {
  const { fundsExecuted: _f, releasesExecuted: _r, ...snapshot } = m as WorldMilestone;
  return { ...snapshot };
}

function inDoubt(name: string, committed: boolean): ApplicationFailure {
  return ApplicationFailure.create({
    message: `OpenTrain answered 503 to ${name} (injected; ${committed ? 'it had committed' : 'nothing committed'})`,
    type: 'HTTP_503',
    nonRetryable: false,
    // The real activities honour Retry-After the same way; a short delay keeps the test fast.
    nextRetryDelay: 20,
    details: [{ status: 503, code: 'HTTP_503', retryable: true }],
  });
}
