import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  patched,
  workflowInfo,
} from '@temporalio/workflow';
import type { Blocker, EngagementState, MilestoneView } from '../domain/engagement-view';
import type { EngagementMachine } from '../domain/engagement-machine';
import type { ApprovalSnapshot, ContractSnapshot, PendingApprovalRecord } from '../domain/engagement-model';
import { EngagementRuleError } from '../domain/engagement-errors';
import { toEngagementState, toMilestoneView } from '../domain/engagement-projection';
import type { AddMilestoneInput, RetryInput } from '../domain/inputs';
import { formatCents, hireChargeCents, usdToCents } from '../domain/money';
import { awaitApproval, type ApprovalWaitHooks } from './approval-wait';
import { notifyActivities, openTrainActivities } from './engagement-activities';
import { createdButNotFunded, failureInfo } from './failures';
import { KeyedLock } from './keyed-lock';

/** Versioning (TEMPORAL-NOTES §6): runs recorded before the contract was read once more after its end. */
const FINAL_CONTRACT_READ_PATCH = 'final-contract-read';

/** A run never hands over before it has made some progress, whatever the policy says. */
const MIN_EVENTS_BEFORE_CONTINUE_AS_NEW = 20;

/** A confirmed hire's result names the contract (REFERENCE §10); the approval's own field is the fallback. */
function hiredContractId(approval: ApprovalSnapshot): string | undefined {
  const fromResult = approval.result?.contractId;
  return typeof fromResult === 'string' ? fromResult : (approval.contractId ?? undefined);
}

/**
 * The engagement's behaviour on top of the pure state machine: each operation runs its activities, applies the
 * outcome to the machine and keeps approvals followed. Handlers and the main function only call into this.
 */
export class EngagementRuntime {
  private readonly locks = new KeyedLock();
  private readonly hooks: ApprovalWaitHooks;
  private endedContractRead?: Promise<void>;

  constructor(readonly machine: EngagementMachine) {
    this.hooks = {
      engagementId: machine.snapshot.engagementId,
      policy: machine.policy,
      signalled: (id) => machine.signalledStatus(id),
      consumeSignal: (id) => machine.consumeSignal(id),
      markAnnounced: (id) => machine.markAnnounced(id),
      markReminderSent: (id, offsets) => machine.markReminderSent(id, offsets),
      setPollInterval: (id, intervalMs) => machine.setPollInterval(id, intervalMs),
      describe: (pending) => this.describe(pending),
      track: (key, run) => this.track(key, run),
    };
  }

  now(): string {
    return new Date(Date.now()).toISOString();
  }

  state(): EngagementState {
    return toEngagementState(this.machine.snapshot);
  }

  milestoneView(milestoneId: string): MilestoneView {
    const record = this.machine.milestone(milestoneId);
    if (!record)
      throw ApplicationFailure.nonRetryable(`milestone ${milestoneId} is unknown`, 'unknown_milestone');
    return toMilestoneView(record);
  }

  /** Count an activity as in flight while it runs: continue-as-new waits until nothing is. */
  async track<T>(key: string, run: () => Promise<T>): Promise<T> {
    this.machine.beginOperation(key);
    try {
      return await run();
    } finally {
      this.machine.endOperation(key);
    }
  }

  // ---------------------------------------------------------------------------------- continue-as-new

  shouldContinueAsNew(): boolean {
    const info = workflowInfo();
    const threshold = Math.max(
      this.machine.policy.continueAsNewAfterEvents,
      MIN_EVENTS_BEFORE_CONTINUE_AS_NEW,
    );
    return info.continueAsNewSuggested || info.historyLength >= threshold;
  }

  /** Ready to hand the whole state to a new run: no handler running, no activity in flight. */
  async quiesce(): Promise<void> {
    await condition(() => allHandlersFinished() && !this.machine.hasOperationsInFlight());
  }

  // ---------------------------------------------------------------------------------- hire phase (main function)

  /** One step of the way to a contract; the main function loops on it until the phase is `active` or terminal. */
  async hireStep(): Promise<void> {
    const m = this.machine;
    if (m.hiredContractId) return this.adoptHiredContract(m.hiredContractId);
    const pendingHire = m.pendingHire();
    if (pendingHire) return this.waitForHire(pendingHire);
    if (m.hasParkedHire()) {
      await condition(() => !m.hasParkedHire() || this.shouldContinueAsNew());
      return;
    }
    if (m.phase === 'blocked') return this.waitWhileBlocked();
    return this.checkAndRequestHire();
  }

  private async waitWhileBlocked(): Promise<void> {
    const m = this.machine;
    const notFit = m.isBlockedOn('not_fit_confirmation_required');
    const unblocked = () => m.recheckRequested || (notFit && m.confirmNotFit) || this.shouldContinueAsNew();
    // "Not a fit" only a human can lift; any other blocker is also rechecked on the policy's interval.
    if (notFit) await condition(unblocked);
    else await condition(unblocked, m.policy.preconditionRecheckMs);
    if (!this.shouldContinueAsNew() || m.recheckRequested) m.startPreconditionCheck(this.now());
  }

  private async checkAndRequestHire(): Promise<void> {
    const m = this.machine;
    m.startPreconditionCheck(this.now());
    const chargeCents = hireChargeCents(m.firstMilestone.amountCents);
    let creditShortfallCents: number | undefined;
    try {
      const report = await this.track('read:preconditions', () =>
        openTrainActivities.checkPreconditions({ hireChargeCents: chargeCents }),
      );
      for (const note of report.notes) m.record(this.now(), 'precondition_note', note);
      if (report.blockers.length) return this.blockAndTell(report.blockers);
      creditShortfallCents = report.creditShortfallCents;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      return this.blockAndTell([{ kind: 'opentrain_unavailable', message: failureInfo(err).message }]);
    }

    for (;;) {
      try {
        const result = await this.track('hire', () =>
          openTrainActivities.requestHire({
            proposalId: m.snapshot.proposalId,
            milestone: m.firstMilestone,
            confirmNotFitOverride: m.hireOverride(),
            jobId: m.jobId,
          }),
        );
        if (result.kind === 'already_hired') {
          m.record(this.now(), 'reconciled', 'the proposal was already hired; adopted its contract');
          m.hired(this.now(), result.contract);
        } else {
          m.hireRequested(this.now(), result.approval);
        }
        return;
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        const info = failureInfo(err);
        if (info.type === 'not_fit_confirmation_required' && m.notFitConfirmationRequired(this.now()))
          continue;
        return this.blockAndTell([this.hireBlocker(info, chargeCents, creditShortfallCents)]);
      }
    }
  }

  private hireBlocker(
    info: ReturnType<typeof failureInfo>,
    chargeCents: number,
    creditShortfallCents: number | undefined,
  ): Blocker {
    const url = (key: string) => {
      const value = info.apiDetails[key];
      return typeof value === 'string' ? value : undefined;
    };
    switch (info.type) {
      case 'payment_method_required':
        return {
          kind: 'payment_method_required',
          message:
            `No payment method on file and the credits do not cover the hire charge of ${formatCents(chargeCents)}` +
            (creditShortfallCents ? ` (short by ${formatCents(creditShortfallCents)})` : '') +
            '. Add a card or top up, then send recheckPreconditions.',
          url: url('billingUrl'),
        };
      case 'not_fit_confirmation_required':
        return {
          kind: 'not_fit_confirmation_required',
          message: 'The proposal is marked "Not a fit". Send confirmNotFit to hire anyway.',
        };
      case 'account_claim_required':
        return { kind: 'account_claim_required', message: info.message, url: url('claimUrl') };
      default:
        return { kind: info.type ?? 'hire_failed', message: info.message };
    }
  }

  private async blockAndTell(blockers: Blocker[]): Promise<void> {
    if (!this.machine.block(this.now(), blockers)) return;
    const first = blockers[0];
    await this.tell({
      kind: 'blocked',
      message: `Engagement blocked: ${blockers.map((b) => (b.url ? `${b.message} (${b.url})` : b.message)).join(' ')}`,
      approvalUrl: first?.url,
    });
  }

  private async waitForHire(pending: PendingApprovalRecord): Promise<void> {
    const m = this.machine;
    const outcome = await awaitApproval(pending, {
      ...this.hooks,
      shouldYield: () => this.shouldContinueAsNew(),
    });
    if (outcome.kind === 'yielded') return;
    const approval = outcome.approval;
    m.approvalClosed(this.now(), approval);
    if (approval.status === 'confirmed') {
      const contractId = hiredContractId(approval);
      if (!contractId)
        return m.fail(this.now(), `hire approval ${approval.id} was confirmed without a contractId`);
      m.hireConfirmed(contractId);
      await this.adoptHiredContract(contractId);
    } else if (approval.status === 'declined') {
      m.fail(this.now(), `the hire was declined by the human (approval ${approval.id})`);
    } else if (!m.hireExpired(this.now(), approval.id)) {
      // [GAP] any other terminal status (e.g. a superseded approval) is handled like an expiry.
      await this.tell({
        kind: 'parked',
        message: `The hire approval expired ${pending.attempt} times; send retry.`,
      });
    }
  }

  /** Read the contract a confirmed hire created; if OpenTrain stays unreachable, block and read again later. */
  private async adoptHiredContract(contractId: string): Promise<void> {
    const m = this.machine;
    if (m.phase === 'blocked') {
      await condition(() => m.recheckRequested || this.shouldContinueAsNew(), m.policy.preconditionRecheckMs);
      if (this.shouldContinueAsNew() && !m.recheckRequested) return;
      m.clearRecheck();
    }
    await this.readContract(
      contractId,
      (contract) => m.hired(this.now(), contract),
      (reason) =>
        this.blockAndTell([
          {
            kind: 'opentrain_unavailable',
            message: `The hire is confirmed but contract ${contractId} could not be read yet: ${reason}`,
          },
        ]),
    );
  }

  /** Read the contract and apply it; a read that still failed after its retries goes to `failed`. */
  private async readContract(
    contractId: string,
    apply: (contract: ContractSnapshot) => void,
    failed: (reason: string) => Promise<void> | void,
  ): Promise<void> {
    let contract: ContractSnapshot;
    try {
      contract = await this.track('read:contract', () => openTrainActivities.fetchContract({ contractId }));
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      return failed(failureInfo(err).message);
    }
    apply(contract);
  }

  // ---------------------------------------------------------------------------------- active phase

  /** Start following every approval carried over from an earlier run (the hire is followed by the main loop). */
  resumeFollowers(): void {
    for (const pending of this.machine.pendingApprovals()) {
      if (pending.action !== 'hire') void this.follow(pending);
    }
  }

  async refreshContract(): Promise<void> {
    const contractId = this.machine.contractId;
    if (!contractId) return;
    this.machine.markContractFresh();
    await this.readContract(
      contractId,
      (contract) => this.machine.syncContract(this.now(), contract),
      // The next OpenTrain event (or the next approval outcome) brings another chance to read it.
      (reason) => this.machine.record(this.now(), 'contract_read_failed', reason),
    );
  }

  async addMilestone(input: AddMilestoneInput): Promise<MilestoneView> {
    const m = this.machine;
    const amountCents = usdToCents(input.amountUsd);
    m.checkAddMilestone(amountCents, input.fund ?? false);
    const contractId = m.contractId as string;
    const created = await this.track('create', () =>
      this.locks.run('create', async () => {
        try {
          const milestone = await openTrainActivities.createMilestone({
            contractId,
            description: input.description,
            name: input.name,
            amountCents,
            dueDate: input.dueDate,
            knownMilestoneIds: m.milestoneIds(),
            reconcile: m.createUncertain,
          });
          m.setCreateUncertain(false);
          return m.milestoneCreated(this.now(), milestone);
        } catch (err) {
          // A creation that failed after retries may still have committed: the next one looks first.
          if (err instanceof ActivityFailure) m.setCreateUncertain(true);
          throw err;
        }
      }),
    );
    if (!input.fund) return this.milestoneView(created.id);
    try {
      return await this.fund(created.id);
    } catch (err) {
      // The milestone exists either way: the caller learns both that and why its funding was not requested.
      throw createdButNotFunded(err, this.milestoneView(created.id));
    }
  }

  async fund(milestoneId: string, attempt = 1): Promise<MilestoneView> {
    const m = this.machine;
    m.checkFund(milestoneId);
    const contractId = m.contractId as string;
    m.reserveFunding(milestoneId);
    await this.moneyMove(`fund:${milestoneId}`, milestoneId, async () => {
      const result = await openTrainActivities.requestFunding({ contractId, milestoneId });
      if (result.kind === 'already_funded') m.milestoneAlreadyFunded(this.now(), result.milestone);
      else this.followNew(m.approvalRequested(this.now(), 'fund', result.approval, attempt, milestoneId));
    });
    return this.milestoneView(milestoneId);
  }

  async release(milestoneId: string, attempt = 1): Promise<MilestoneView> {
    const m = this.machine;
    m.checkRelease(milestoneId);
    await this.moneyMove(`release:${milestoneId}`, milestoneId, async () => {
      const approval = await openTrainActivities.requestRelease({ milestoneId });
      this.followNew(m.approvalRequested(this.now(), 'release', approval, attempt, milestoneId));
    });
    return this.milestoneView(milestoneId);
  }

  async endContract(attempt = 1): Promise<EngagementState> {
    const m = this.machine;
    m.checkEnd();
    const contractId = m.contractId as string;
    await this.moneyMove('end', 'contract', async () => {
      const result = await openTrainActivities.requestContractEnd({ contractId });
      if (result.kind === 'ended') m.ended(this.now(), 'ended directly: no funded milestone');
      else this.followNew(m.approvalRequested(this.now(), 'end', result.approval, attempt));
    });
    // A direct end answers with the settled state; a co-signed one settles when the human confirms.
    if (m.phase === 'ended') await this.settleEndedContract();
    return this.state();
  }

  /**
   * Once the contract has ended, read it one last time and reconcile: OpenTrain refunded the unspent escrow and
   * dropped those milestones from the timeline (REFERENCE §2.8/§2.12). Runs once, for whoever asks first (the
   * direct end's handler or the main function).
   */
  settleEndedContract(): Promise<void> {
    this.endedContractRead ??= this.readEndedContract();
    return this.endedContractRead;
  }

  private async readEndedContract(): Promise<void> {
    const m = this.machine;
    const contractId = m.contractId;
    if (m.phase !== 'ended' || !contractId || !patched(FINAL_CONTRACT_READ_PATCH)) return;
    await this.readContract(
      contractId,
      (contract) => m.reconcileEnded(this.now(), contract),
      // The final state then shows the milestones as last known; the history says why.
      (reason) => m.record(this.now(), 'contract_read_failed', `after the end: ${reason}`),
    );
  }

  /**
   * One money-moving request, marked in flight at once (so validators of concurrent updates see it), serialised
   * per milestone (or for the contract), its failure recorded and rethrown for the caller.
   */
  private async moneyMove(key: string, lockKey: string, request: () => Promise<void>): Promise<void> {
    const m = this.machine;
    m.beginOperation(key);
    try {
      await this.locks.run(lockKey, request);
    } catch (err) {
      if (key.startsWith('fund:')) m.dropReservation(key.slice('fund:'.length));
      if (err instanceof ActivityFailure)
        m.record(this.now(), 'request_failed', `${key}: ${failureInfo(err).message}`);
      throw err;
    } finally {
      m.endOperation(key);
    }
  }

  async retry(ref: RetryInput): Promise<EngagementState> {
    const m = this.machine;
    const item = m.checkRetry(ref);
    m.unpark(this.now(), item);
    if (item.action === 'hire') await condition(() => m.phase !== 'checking_preconditions');
    else if (item.action === 'fund') await this.fund(item.milestoneId as string);
    else if (item.action === 'release') await this.release(item.milestoneId as string);
    else await this.endContract();
    return this.state();
  }

  async confirmNotFit(): Promise<EngagementState> {
    const m = this.machine;
    m.checkConfirmNotFit();
    m.confirmNotFitOverride(this.now());
    // Returns once the main loop has acted on it (hire requested, or blocked for another reason).
    await condition(
      () =>
        (m.phase !== 'checking_preconditions' && !m.isBlockedOn('not_fit_confirmation_required')) ||
        m.isTerminal(),
    );
    return this.state();
  }

  // ---------------------------------------------------------------------------------- following approvals

  private followNew(pending: PendingApprovalRecord): void {
    void this.follow(pending);
  }

  /**
   * Follow one fund/release/end approval to its end, in the background of the handler that requested it:
   * confirmed → applied; declined → parked for `retry`; expired → requested again up to the policy's limit,
   * then parked.
   */
  private async follow(pending: PendingApprovalRecord): Promise<void> {
    const m = this.machine;
    const outcome = await awaitApproval(pending, this.hooks);
    if (outcome.kind === 'yielded') return;
    const closed = m.approvalClosed(this.now(), outcome.approval);
    if (!closed || outcome.approval.status === 'confirmed') return;
    const park = (reason: 'expired' | 'declined') =>
      m.park(this.now(), {
        action: closed.action,
        milestoneId: closed.milestoneId,
        approvalId: closed.approvalId,
        reason,
      });
    if (outcome.approval.status === 'declined') return park('declined');
    // Expired (or any other terminal status, [GAP] handled alike): ask again while the policy allows.
    if (closed.attempt > m.policy.maxReRequestsAfterExpiry) {
      park('expired');
      return this.tell({
        kind: 'parked',
        message: `The ${this.describe(closed)} expired ${closed.attempt} times; send retry to ask again.`,
      });
    }
    // The new request starts its own follower; this one is done either way.
    if (!(await this.reRequest(closed))) park('expired');
  }

  /** Ask again after an expiry; false when the request could not be made (the item is then parked). */
  private async reRequest(closed: PendingApprovalRecord): Promise<boolean> {
    const attempt = closed.attempt + 1;
    try {
      if (closed.action === 'fund') await this.fund(closed.milestoneId as string, attempt);
      else if (closed.action === 'release') await this.release(closed.milestoneId as string, attempt);
      else await this.endContract(attempt);
      return true;
    } catch (err) {
      if (!(err instanceof ActivityFailure || err instanceof EngagementRuleError)) throw err;
      this.machine.record(this.now(), 're_request_failed', `${closed.action}: ${err.message}`);
      return false;
    }
  }

  // ---------------------------------------------------------------------------------- telling the human

  describe(pending: PendingApprovalRecord): string {
    const m = pending.milestoneId ? this.machine.milestone(pending.milestoneId) : undefined;
    const amount = m ? ` (${formatCents(m.amountCents)})` : '';
    switch (pending.action) {
      case 'hire':
        return `hire for proposal ${this.machine.snapshot.proposalId} (${formatCents(this.machine.firstMilestone.amountCents)} + fees)`;
      case 'fund':
        return `funding of milestone ${pending.milestoneId}${amount}`;
      case 'release':
        return `payout release of milestone ${pending.milestoneId}${amount}`;
      case 'end':
        return `ending contract ${this.machine.contractId}`;
    }
  }

  private async tell(note: { kind: string; message: string; approvalUrl?: string }): Promise<void> {
    try {
      await this.track('notify', () =>
        notifyActivities.notifyHuman({ engagementId: this.machine.snapshot.engagementId, ...note }),
      );
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('could not notify the human', { error: err.message });
    }
  }
}
