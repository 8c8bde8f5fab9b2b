import type { SandboxContext } from './context';
import { notFound } from './errors';
import type { Account, Contract, Milestone, Proposal } from './model';

/** Resources of the caller's account, or the documented 404 (another account's resources do not exist for you). */

export function ownedProposal(ctx: SandboxContext, account: Account, proposalId: string): Proposal {
  const proposal = ctx.store.state.proposals[proposalId];
  if (!proposal || proposal.accountId !== account.id) throw notFound('proposals', proposalId);
  return proposal;
}

export function ownedContract(ctx: SandboxContext, account: Account, contractId: string): Contract {
  const contract = ctx.store.state.contracts[contractId];
  if (!contract || contract.accountId !== account.id) throw notFound('contracts', contractId);
  return contract;
}

export function ownedMilestone(
  ctx: SandboxContext,
  account: Account,
  milestoneId: string,
): { milestone: Milestone; contract: Contract } {
  const milestone = ctx.store.state.milestones[milestoneId];
  const contract = milestone ? ctx.store.state.contracts[milestone.contractId] : undefined;
  if (!milestone || !contract || contract.accountId !== account.id) throw notFound('milestones', milestoneId);
  return { milestone, contract };
}

/** A contract's milestones in timeline order. */
export function milestonesOf(ctx: SandboxContext, contractId: string): Milestone[] {
  return Object.values(ctx.store.state.milestones)
    .filter((m) => m.contractId === contractId)
    .sort((a, b) => a.milestoneNumber - b.milestoneNumber);
}

export function accountOf(ctx: SandboxContext, accountId: string): Account {
  const account = ctx.store.state.accounts[accountId];
  if (!account) throw new Error(`Sandbox state has no account ${accountId}`);
  return account;
}
