import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ObservedMessage } from '../../../domain/thread';
import type { EngagementActivities } from '../../../activities/engagement';
import type { HumanNotification } from '../../../activities/notifier';
import type { PreconditionReport } from '../../../activities/preconditions';
import type { Blocker } from '../../../domain/engagement-view';
import type { ApprovalSnapshot, ContractSnapshot, MilestoneSnapshot } from '../../../domain/engagement-model';
import { approvalSnapshot, contractSnapshot, milestoneSnapshot } from '../../domain/snapshot-fixtures';

export const HOUR_MS = 60 * 60 * 1000;
const TTL_MS = 72 * HOUR_MS;

/** A business error exactly as activities/errors.ts builds it (reason as type, API details inside). */
export function apiFailure(reason: string, details: Record<string, unknown> = {}): ApplicationFailure {
  return ApplicationFailure.create({
    message: `OpenTrain answered 409 (${reason})`,
    type: reason,
    nonRetryable: true,
    details: [{ status: 409, code: 'CONFLICT', reason, details: { reason, ...details } }],
  });
}

type HireOutcome = 'approval' | 'payment_method_required' | 'already_accepted' | 'not_fit';

/**
 * OpenTrain and the human, simulated at the activity boundary for time-skipping tests: approvals expire after
 * 72 h of (skipped) server time, read lazily as OpenTrain does; every call and notification is recorded.
 */
export class FakeOpenTrain {
  readonly calls: { name: string; input: unknown; at: number }[] = [];
  readonly notifications: (HumanNotification & { at: number })[] = [];
  readonly approvals = new Map<string, ApprovalSnapshot>();
  blockers: Blocker[] = [];
  hireOutcomes: HireOutcome[] = [];
  /** Business errors the next funding requests answer with (then approvals again). */
  fundingFailures: string[] = [];
  notAFit = false;
  /** How many contract reads fail (non-retryably) before they succeed again. */
  contractReadFailures = 0;
  contract: ContractSnapshot = contractSnapshot([]);
  /** The contract's thread, oldest first; `isFromViewer` false for the trainer's messages. */
  readonly thread: ObservedMessage[] = [];
  /** Hooks a test can set to act in the middle of a call (e.g. signal before the activity returns). */
  onHireRequested?: (approval: ApprovalSnapshot) => Promise<void>;
  onNotify?: (n: HumanNotification) => Promise<void>;
  private seq = 0;

  private now(): number {
    return activityInfo().currentAttemptScheduledTimestampMs;
  }

  private record(name: string, input: unknown): number {
    const at = this.now();
    this.calls.push({ name, input, at });
    return at;
  }

  callsOf(name: string) {
    return this.calls.filter((c) => c.name === name);
  }

  private newApproval(type: string, at: number, extra: Partial<ApprovalSnapshot>): ApprovalSnapshot {
    this.seq += 1;
    const id = `apr_${this.seq}`;
    const approval = approvalSnapshot(id, type, 'pending', {
      contractId: null,
      approvalUrl: `https://sandbox.test/approvals/${id}`,
      expiresAt: new Date(at + TTL_MS).toISOString(),
      createdAt: new Date(at).toISOString(),
      ...extra,
    });
    this.approvals.set(id, approval);
    return approval;
  }

  /** Same pending approval for the same intent, as OpenTrain does (semantic idempotency). */
  private pendingFor(type: string, milestoneId: string | null): ApprovalSnapshot | undefined {
    return [...this.approvals.values()].find(
      (a) => a.type === type && a.milestoneId === milestoneId && a.status === 'pending',
    );
  }

  /** The human acts (in the app). Confirming executes the action like OpenTrain would. */
  resolve(approvalId: string, status: 'confirmed' | 'declined'): ApprovalSnapshot {
    const approval = this.approvals.get(approvalId);
    if (!approval || approval.status !== 'pending') throw new Error(`approval ${approvalId} is not pending`);
    approval.status = status;
    approval.resolvedAt = new Date().toISOString();
    if (status === 'confirmed') approval.result = this.execute(approval);
    return approval;
  }

  private execute(approval: ApprovalSnapshot): Record<string, unknown> {
    const milestone = this.contract.milestones.find((m) => m.id === approval.milestoneId);
    switch (approval.type) {
      case 'proposal_hire':
        this.contract.milestones.push(milestoneSnapshot('m_1', 300_00, 'ACTIVE_FUNDED', 1));
        return { hired: true, contractId: this.contract.id, jobId: 'job_1', freelancerUserId: 'u_1' };
      case 'milestone_fund':
        if (milestone) milestone.status = 'ACTIVE_FUNDED';
        return { invoiceId: `inv_${approval.id}`, paymentIntentId: `pi_${approval.id}` };
      case 'milestone_approve':
        if (milestone) milestone.status = 'PAID';
        return { invoiceId: `inv_${approval.id}`, payoutTransactionId: `po_${approval.id}` };
      default:
        // Unspent escrow is refunded, and refunded milestones drop out of the timeline (as the sandbox does).
        this.contract.status = 'ended';
        this.contract.milestones = this.contract.milestones.filter((m) => m.status !== 'ACTIVE_FUNDED');
        return { contractEnded: true };
    }
  }

  pendingApprovalIds(): string[] {
    return [...this.approvals.values()].filter((a) => a.status === 'pending').map((a) => a.id);
  }

  activities(): EngagementActivities {
    return {
      checkPreconditions: async (input): Promise<PreconditionReport> => {
        this.record('checkPreconditions', input);
        return { blockers: this.blockers, notes: [] };
      },
      requestHire: async (input) => {
        const at = this.record('requestHire', input);
        const outcome = this.hireOutcomes.shift() ?? 'approval';
        if (this.notAFit && !input.confirmNotFitOverride) throw apiFailure('not_fit_confirmation_required');
        if (outcome === 'payment_method_required')
          throw apiFailure('payment_method_required', { billingUrl: 'https://sandbox.test/billing' });
        if (outcome === 'already_accepted') {
          this.contract.milestones.push(milestoneSnapshot('m_1', 300_00, 'ACTIVE_FUNDED', 1));
          return { kind: 'already_hired' as const, contract: structuredClone(this.contract) };
        }
        const approval =
          this.pendingFor('proposal_hire', null) ??
          this.newApproval('proposal_hire', at, { proposalId: input.proposalId });
        await this.onHireRequested?.(approval);
        return { kind: 'requested' as const, approval: { ...approval } };
      },
      fetchApproval: async ({ approvalId }) => {
        const at = this.record('fetchApproval', { approvalId });
        const approval = this.approvals.get(approvalId);
        if (!approval) throw apiFailure('NOT_FOUND');
        if (approval.status === 'pending' && at >= Date.parse(approval.expiresAt)) {
          approval.status = 'expired';
          approval.resolvedAt = new Date(at).toISOString();
        }
        return { ...approval };
      },
      fetchContract: async (input) => {
        this.record('fetchContract', input);
        if (this.contractReadFailures > 0) {
          this.contractReadFailures -= 1;
          throw apiFailure('FORBIDDEN');
        }
        return structuredClone(this.contract);
      },
      createMilestone: async (input) => {
        this.record('createMilestone', input);
        const m: MilestoneSnapshot = {
          ...milestoneSnapshot(
            `m_${this.contract.milestones.length + 1}`,
            input.amountCents,
            'NOT_FUNDED',
            this.contract.milestones.length + 1,
          ),
          description: input.description,
          name: input.name ?? null,
        };
        this.contract.milestones.push(m);
        return { ...m };
      },
      requestFunding: async (input) => {
        const at = this.record('requestFunding', input);
        const failure = this.fundingFailures.shift();
        if (failure) throw apiFailure(failure, { billingUrl: 'https://sandbox.test/billing' });
        const approval =
          this.pendingFor('milestone_fund', input.milestoneId) ??
          this.newApproval('milestone_fund', at, { contractId: 'c_1', milestoneId: input.milestoneId });
        return { kind: 'requested' as const, approval: { ...approval } };
      },
      requestRelease: async (input) => {
        const at = this.record('requestRelease', input);
        const approval =
          this.pendingFor('milestone_approve', input.milestoneId) ??
          this.newApproval('milestone_approve', at, { contractId: 'c_1', milestoneId: input.milestoneId });
        return { ...approval };
      },
      requestContractEnd: async (input) => {
        const at = this.record('requestContractEnd', input);
        if (!this.contract.milestones.some((m) => m.status === 'ACTIVE_FUNDED')) {
          this.contract.status = 'ended';
          return { kind: 'ended' as const };
        }
        const approval =
          this.pendingFor('contract_end', null) ??
          this.newApproval('contract_end', at, { contractId: 'c_1' });
        return { kind: 'approval' as const, approval: { ...approval } };
      },
      postThreadMessage: async (input) => {
        const at = this.record('postThreadMessage', input);
        const message = { id: `msg_${this.thread.length + 1}`, content: input.content, isFromViewer: true };
        this.thread.push({ ...message, createdAt: new Date(at).toISOString() });
        return this.thread.at(-1)!;
      },
      readThreadNewest: async (input) => {
        this.record('readThreadNewest', input);
        return [...this.thread].reverse();
      },
      notifyHuman: async (n) => {
        const at = this.record('notifyHuman', n);
        this.notifications.push({ ...n, at });
        await this.onNotify?.(n);
      },
    };
  }
}
