import type { FastifyReply } from 'fastify';
import { planConfirmedAction } from './actions';
import type { SandboxContext } from './context';
import { ApiError, conflict, notFound } from './errors';
import { APPROVAL_NOT_PENDING_REASON, EXPIRED_RESOLVED_AT, SUPERSEDED_APPROVAL_STATUS } from './gaps';
import type { HireEdits } from './hire-terms';
import type { Approval, ApprovalType } from './model';
import { approvalToWire } from './wire';

/**
 * The co-sign state machine (docs/opentrain-api.md#approval-lifecycle): pending → confirmed | declined | expired.
 * Expiry is lazy: every read path calls `expireIfDue`, and the flip emits `approval.confirmed` like any other
 * resolution.
 */

/** The documented 202 messages (docs/opentrain-api.md#approvals). */
export const APPROVAL_MESSAGES: Record<ApprovalType, string> = {
  proposal_hire:
    'Hire request recorded. A signed-in human must confirm this approval in the OpenTrain app before the freelancer is hired and any money moves.',
  milestone_fund:
    'Funding request recorded. A signed-in human must confirm this approval in the OpenTrain app before any money moves.',
  milestone_approve:
    'Release request recorded. A signed-in human must confirm this approval in the OpenTrain app before any money moves.',
  contract_end:
    'This contract has funded milestones, so a signed-in human must confirm ending it in the OpenTrain app.',
};

export function expireIfDue(ctx: SandboxContext, approval: Approval): Approval {
  if (approval.status === 'pending' && ctx.clock.nowMs() >= Date.parse(approval.expiresAt)) {
    const resolvedAt = EXPIRED_RESOLVED_AT === 'expiresAt' ? approval.expiresAt : ctx.clock.nowIso();
    resolve(ctx, approval, 'expired', resolvedAt);
  }
  return approval;
}

/** Reads one approval (lazily expiring it); `accountId` restricts it to that account's approvals. */
export function readApproval(ctx: SandboxContext, approvalId: string, accountId?: string): Approval {
  const approval = ctx.store.state.approvals[approvalId];
  if (!approval || (accountId !== undefined && approval.accountId !== accountId)) {
    throw notFound('approvals', approvalId);
  }
  return expireIfDue(ctx, approval);
}

/** Every approval, lazily expired, oldest first. */
export function listApprovals(ctx: SandboxContext): Approval[] {
  return Object.values(ctx.store.state.approvals).map((approval) => expireIfDue(ctx, approval));
}

/** The live approval of this type for a proposal/milestone/contract, if any (after lazy expiry). */
export function findPending(
  ctx: SandboxContext,
  type: ApprovalType,
  key: { proposalId?: string; milestoneId?: string; contractId?: string },
): Approval | undefined {
  return Object.values(ctx.store.state.approvals).find(
    (a) =>
      a.type === type &&
      a.status === 'pending' &&
      (key.proposalId === undefined || a.proposalId === key.proposalId) &&
      (key.milestoneId === undefined || a.milestoneId === key.milestoneId) &&
      (key.contractId === undefined || a.contractId === key.contractId) &&
      expireIfDue(ctx, a).status === 'pending',
  );
}

/** A new pending approval; the ids it does not concern are null. */
export function createApproval(
  ctx: SandboxContext,
  fields: Pick<Approval, 'accountId' | 'type' | 'jobId'> &
    Partial<Pick<Approval, 'contractId' | 'milestoneId' | 'proposalId' | 'terms' | 'invoiceId'>>,
): Approval {
  const createdAtMs = ctx.clock.nowMs();
  const approval: Approval = {
    id: ctx.store.newId('apr'),
    contractId: null,
    milestoneId: null,
    proposalId: null,
    terms: null,
    invoiceId: null,
    ...fields,
    status: 'pending',
    expiresAt: new Date(createdAtMs + ctx.approvalTtlMs).toISOString(),
    resolvedAt: null,
    result: null,
    createdAt: new Date(createdAtMs).toISOString(),
  };
  ctx.store.state.approvals[approval.id] = approval;
  return approval;
}

/**
 * The 202 answer of every co-signed request (docs/opentrain-api.md#approvals): the approval and the documented
 * message for its type.
 */
export function sendApproval(reply: FastifyReply, ctx: SandboxContext, approval: Approval) {
  return reply
    .code(202)
    .send({ approval: approvalToWire(ctx, approval), message: APPROVAL_MESSAGES[approval.type] });
}

/** A hire request with different terms replaces the live one: only one live hire request per proposal. */
export function supersede(ctx: SandboxContext, approval: Approval): void {
  resolve(ctx, approval, SUPERSEDED_APPROVAL_STATUS, ctx.clock.nowIso());
}

/** The human confirms: the action executes now (or nothing changes and the conflict is reported). */
export function confirmApproval(ctx: SandboxContext, approvalId: string, edits?: HireEdits): Approval {
  const approval = pendingOr409(ctx, approvalId);
  if (edits && approval.type !== 'proposal_hire') {
    throw new ApiError(400, 'Only a hire approval has a milestone to edit.', { field: 'milestone' });
  }
  const execute = planConfirmedAction(ctx, approval, edits);
  resolve(ctx, approval, 'confirmed', ctx.clock.nowIso());
  approval.result = execute();
  return approval;
}

/** The human declines: nothing executes. */
export function declineApproval(ctx: SandboxContext, approvalId: string): Approval {
  const approval = pendingOr409(ctx, approvalId);
  resolve(ctx, approval, 'declined', ctx.clock.nowIso());
  return approval;
}

function pendingOr409(ctx: SandboxContext, approvalId: string): Approval {
  const approval = readApproval(ctx, approvalId);
  if (approval.status !== 'pending') {
    throw conflict(APPROVAL_NOT_PENDING_REASON, `This approval is already ${approval.status}.`, {
      status: approval.status,
    });
  }
  return approval;
}

function resolve(
  ctx: SandboxContext,
  approval: Approval,
  status: Approval['status'],
  resolvedAt: string,
): void {
  approval.status = status;
  approval.resolvedAt = resolvedAt;
  const invoice = approval.invoiceId ? ctx.store.state.invoices[approval.invoiceId] : undefined;
  if (invoice && status !== 'confirmed') invoice.status = 'VOID';
  ctx.events.append(
    approval.accountId,
    'approval.confirmed',
    { resourceId: approval.id, jobId: approval.jobId },
    { approvalId: approval.id, status },
  );
}
