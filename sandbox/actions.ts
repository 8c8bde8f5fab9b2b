import { centsToUsd, fundChargeCents, hireChargeCents } from '../domain/money';
import type { SandboxContext } from './context';
import { conflict } from './errors';
import { BILLING_PATH, MILESTONE_STATUS, RELEASE_ESCROW_ON_END } from './gaps';
import { applyEdits, type HireEdits } from './hire-terms';
import type { FundingSource } from './ledger';
import { accountOf, milestonesOf } from './lookups';
import type { Account, Approval, Contract, Milestone } from './model';

/**
 * What a confirmed approval does. `planConfirmedAction` checks everything first and throws (a 409) without
 * touching state; the returned function then applies the whole action and returns the approval's `result`.
 */
type Execute = () => Record<string, unknown>;

export function planConfirmedAction(ctx: SandboxContext, approval: Approval, edits?: HireEdits): Execute {
  switch (approval.type) {
    case 'proposal_hire':
      return planHire(ctx, approval, edits);
    case 'milestone_fund':
      return planFund(ctx, approval);
    case 'milestone_approve':
      return planRelease(ctx, approval);
    case 'contract_end':
      return planEnd(ctx, approval);
  }
}

export function paymentMethodRequired(ctx: SandboxContext, chargeCents: number) {
  return conflict(
    'payment_method_required',
    `No payment method on file and the credit balance does not cover ${centsToUsd(chargeCents).toFixed(2)} USD (milestone + fees).`,
    { billingUrl: `${ctx.origin()}${BILLING_PATH}` },
  );
}

/** Who pays a charge, or the documented 409 when nobody can. */
export function payerOr409(ctx: SandboxContext, account: Account, chargeCents: number): FundingSource {
  const source = ctx.ledger.fundingSource(account, chargeCents);
  if (!source) throw paymentMethodRequired(ctx, chargeCents);
  return source;
}

export function contractEnded(contract: Contract) {
  return conflict('contract_ended', `Contract ${contract.id} has ended.`);
}

function planHire(ctx: SandboxContext, approval: Approval, edits: HireEdits | undefined): Execute {
  const { state } = ctx.store;
  const proposal = state.proposals[approval.proposalId ?? ''];
  const job = proposal ? state.jobs[proposal.jobId] : undefined;
  if (!proposal || !job || !approval.terms) throw new Error(`Hire approval ${approval.id} lost its proposal`);
  if (proposal.status === 'HIRED') throw conflict('already_accepted', 'This proposal was already hired.');
  const account = accountOf(ctx, approval.accountId);
  const terms = applyEdits(approval.terms, edits);
  const charge = hireChargeCents(terms.amountCents);
  const source = payerOr409(ctx, account, charge);

  return () => {
    const now = ctx.clock.nowIso();
    const contract: Contract = {
      id: ctx.store.newId('ctr'),
      accountId: account.id,
      jobId: job.id,
      proposalId: proposal.id,
      title: `${job.title} Contract`,
      paymentType: proposal.paymentType,
      rateCents: proposal.rateCents ?? (proposal.paymentType === 'FIXED_PRICE' ? terms.amountCents : null),
      status: 'active',
      startDate: now,
      endDate: null,
      createdAt: now,
      updatedAt: now,
      freelancer: proposal.freelancer,
      jobDmConversationId: ctx.store.newId('cnv'),
    };
    state.contracts[contract.id] = contract;
    state.conversations[contract.jobDmConversationId] = {
      id: contract.jobDmConversationId,
      accountId: account.id,
      jobId: job.id,
      contractId: contract.id,
    };
    const milestone: Milestone = {
      id: ctx.store.newId('mil'),
      contractId: contract.id,
      name: terms.name,
      description: terms.description ?? terms.name ?? '',
      status: MILESTONE_STATUS.notFunded,
      amountCents: terms.amountCents,
      volume: null,
      milestoneNumber: 1,
      dueDate: terms.dueDate,
      invoiceId: null,
      holdEntryId: null,
      createdAt: now,
    };
    state.milestones[milestone.id] = milestone;
    proposal.status = 'HIRED';
    approval.contractId = contract.id;
    approval.terms = terms;

    ctx.events.append(
      account.id,
      'contract.created',
      { resourceId: contract.id, jobId: job.id },
      { contractId: contract.id, jobId: job.id, proposalId: proposal.id },
    );
    ctx.events.append(
      account.id,
      'proposal.status_changed',
      { resourceId: proposal.id, jobId: job.id },
      { proposalId: proposal.id, status: 'HIRED' },
    );
    fundMilestone(
      ctx,
      account,
      contract,
      milestone,
      charge,
      source,
      newPaidInvoice(ctx, account, contract, milestone),
    );
    return {
      hired: true,
      contractId: contract.id,
      jobId: job.id,
      freelancerUserId: proposal.freelancer.userId,
    };
  };
}

function planFund(ctx: SandboxContext, approval: Approval): Execute {
  const { contract, milestone } = approvalTargets(ctx, approval);
  const account = accountOf(ctx, approval.accountId);
  assertMilestoneOpen(contract, milestone);
  if (milestone.status !== MILESTONE_STATUS.notFunded) throw milestoneNotFundable(milestone);
  const charge = fundChargeCents(milestone.amountCents);
  const source = payerOr409(ctx, account, charge);

  return () => {
    const pending = approval.invoiceId ? ctx.store.state.invoices[approval.invoiceId] : undefined;
    const invoiceId = pending?.id ?? newPaidInvoice(ctx, account, contract, milestone);
    if (pending) pending.status = 'PAID';
    fundMilestone(ctx, account, contract, milestone, charge, source, invoiceId);
    return { invoiceId, paymentIntentId: ctx.store.newId('pi') };
  };
}

function planRelease(ctx: SandboxContext, approval: Approval): Execute {
  const { contract, milestone } = approvalTargets(ctx, approval);
  const account = accountOf(ctx, approval.accountId);
  assertMilestoneOpen(contract, milestone);
  if (milestone.status !== MILESTONE_STATUS.activeFunded) throw milestoneNotFunded(milestone);

  return () => {
    if (milestone.holdEntryId) ctx.ledger.capture(account, milestone.holdEntryId, links(contract, milestone));
    setMilestoneStatus(ctx, contract, milestone, MILESTONE_STATUS.paid);
    return { invoiceId: milestone.invoiceId, payoutTransactionId: ctx.store.newId('po') };
  };
}

function planEnd(ctx: SandboxContext, approval: Approval): Execute {
  const contract = ctx.store.state.contracts[approval.contractId ?? ''];
  if (!contract) throw new Error(`End approval ${approval.id} lost its contract`);
  if (contract.status === 'ended') throw contractEnded(contract);
  return () => {
    endContract(ctx, contract);
    return { contractEnded: true };
  };
}

/** Ends a contract now: funded escrow goes back to the account (RELEASE_ESCROW_ON_END), the contract gets its endDate. */
export function endContract(ctx: SandboxContext, contract: Contract): void {
  const account = accountOf(ctx, contract.accountId);
  for (const milestone of milestonesOf(ctx, contract.id)) {
    if (!RELEASE_ESCROW_ON_END || milestone.status !== MILESTONE_STATUS.activeFunded) continue;
    if (milestone.holdEntryId) {
      ctx.ledger.release(
        account,
        milestone.holdEntryId,
        links(contract, milestone),
        'Contract ended with funds unspent',
      );
    }
    setMilestoneStatus(ctx, contract, milestone, MILESTONE_STATUS.refunded);
  }
  const now = ctx.clock.nowIso();
  contract.status = 'ended';
  contract.endDate = now;
  contract.updatedAt = now;
}

/**
 * Fund and release both answer these first: 409 `contract_ended`, then 409 `milestone_cancelled`
 * (docs/opentrain-api.md#milestones).
 */
export function assertMilestoneOpen(contract: Contract, milestone: Milestone): void {
  if (contract.status === 'ended') throw contractEnded(contract);
  if (milestone.status === MILESTONE_STATUS.cancelled) throw milestoneCancelled(milestone);
}

export function milestoneNotFundable(milestone: Milestone) {
  return conflict(
    'milestone_not_fundable',
    `Milestone is ${milestone.status}; only NOT_FUNDED milestones can be funded.`,
  );
}

export function milestoneNotFunded(milestone: Milestone) {
  return conflict(
    'milestone_not_funded',
    `Milestone is ${milestone.status}; only ACTIVE_FUNDED milestones can be released.`,
  );
}

export function milestoneCancelled(milestone: Milestone) {
  return conflict('milestone_cancelled', `Milestone ${milestone.id} was cancelled.`);
}

export function setMilestoneStatus(
  ctx: SandboxContext,
  contract: Contract,
  milestone: Milestone,
  status: string,
): void {
  milestone.status = status;
  contract.updatedAt = ctx.clock.nowIso();
  ctx.events.append(
    contract.accountId,
    'milestone.status_changed',
    { resourceId: milestone.id, jobId: contract.jobId },
    { milestoneId: milestone.id, contractId: contract.id, status },
  );
}

function fundMilestone(
  ctx: SandboxContext,
  account: Account,
  contract: Contract,
  milestone: Milestone,
  chargeCents: number,
  source: FundingSource,
  invoiceId: string,
): void {
  if (source === 'credits')
    milestone.holdEntryId = ctx.ledger.hold(account, chargeCents, links(contract, milestone)).id;
  milestone.invoiceId = invoiceId;
  setMilestoneStatus(ctx, contract, milestone, MILESTONE_STATUS.activeFunded);
}

export function newInvoice(
  ctx: SandboxContext,
  account: Account,
  contract: Contract,
  milestone: Milestone,
  status: 'PENDING_FUNDING' | 'PAID',
): string {
  const id = ctx.store.newId('inv');
  ctx.store.state.invoices[id] = {
    id,
    accountId: account.id,
    invoiceNumber: ctx.store.nextInvoiceNumber(),
    status,
    amountCents: milestone.amountCents,
    jobId: contract.jobId,
    contractId: contract.id,
    milestoneId: milestone.id,
    createdAt: ctx.clock.nowIso(),
  };
  return id;
}

function newPaidInvoice(
  ctx: SandboxContext,
  account: Account,
  contract: Contract,
  milestone: Milestone,
): string {
  return newInvoice(ctx, account, contract, milestone, 'PAID');
}

function approvalTargets(
  ctx: SandboxContext,
  approval: Approval,
): { contract: Contract; milestone: Milestone } {
  const milestone = ctx.store.state.milestones[approval.milestoneId ?? ''];
  const contract = milestone ? ctx.store.state.contracts[milestone.contractId] : undefined;
  if (!milestone || !contract) throw new Error(`Approval ${approval.id} lost its milestone`);
  return { contract, milestone };
}

function links(contract: Contract, milestone: Milestone) {
  return { proposalId: contract.proposalId, contractId: contract.id, milestoneId: milestone.id };
}
