import { centsToUsd, fundChargeCents } from '../domain/money';
import type { SandboxContext } from './context';
import {
  HIDDEN_MILESTONE_STATUSES,
  MILESTONE_NEEDS_REVIEW,
  MILESTONE_STATUS,
  PENDING_PAYMENT_INCLUDES_FEES,
} from './gaps';
import { milestonesOf } from './lookups';
import type { Approval, Contract, Invoice, LedgerEntry, Milestone, Webhook } from './model';

/** Wire shapes (docs/opentrain-api.md#endpoints): dollars for money (cents only for credits), masked trainers. */

export function approvalUrl(ctx: SandboxContext, approvalId: string): string {
  return `${ctx.origin()}/approvals/${approvalId}`;
}

export function approvalToWire(ctx: SandboxContext, approval: Approval) {
  return {
    id: approval.id,
    type: approval.type,
    status: approval.status,
    contractId: approval.contractId,
    milestoneId: approval.milestoneId,
    jobId: approval.jobId,
    proposalId: approval.proposalId,
    approvalUrl: approvalUrl(ctx, approval.id),
    expiresAt: approval.expiresAt,
    resolvedAt: approval.resolvedAt,
    result: approval.result,
    createdAt: approval.createdAt,
  };
}
export type WireApproval = ReturnType<typeof approvalToWire>;

export function milestoneToWire(ctx: SandboxContext, milestone: Milestone) {
  const pendingApproval = Object.values(ctx.store.state.approvals).some(
    (a) =>
      a.milestoneId === milestone.id && a.status === 'pending' && Date.parse(a.expiresAt) > ctx.clock.nowMs(),
  );
  return {
    id: milestone.id,
    name: milestone.name,
    description: milestone.description,
    status: milestone.status,
    amountUsd: centsToUsd(milestone.amountCents),
    volume: milestone.volume,
    milestoneNumber: milestone.milestoneNumber,
    dueDate: milestone.dueDate,
    pendingApproval,
    needsReview: MILESTONE_NEEDS_REVIEW,
    invoiceId: milestone.invoiceId,
    createdAt: milestone.createdAt,
  };
}

export type WireMilestone = ReturnType<typeof milestoneToWire>;

export function contractToWire(ctx: SandboxContext, contract: Contract) {
  const timeline = milestonesOf(ctx, contract.id).filter(
    (m) => !HIDDEN_MILESTONE_STATUSES.includes(m.status),
  );
  return {
    id: contract.id,
    status: contract.status,
    title: contract.title,
    jobId: contract.jobId,
    proposalId: contract.proposalId,
    paymentType: contract.paymentType,
    rateUsd: contract.rateCents === null ? null : centsToUsd(contract.rateCents),
    estimatedTotalUsd: centsToUsd(timeline.reduce((sum, m) => sum + m.amountCents, 0)),
    estimatedVolume: null,
    hasActiveMilestone: timeline.some((m) => m.status === MILESTONE_STATUS.activeFunded),
    startDate: contract.startDate,
    endDate: contract.endDate,
    createdAt: contract.createdAt,
    updatedAt: contract.updatedAt,
    freelancer: { ...contract.freelancer },
    milestones: timeline.map((m) => milestoneToWire(ctx, m)),
  };
}

export function contractDetailToWire(ctx: SandboxContext, contract: Contract) {
  const funded = milestonesOf(ctx, contract.id).filter(
    (m) => m.status === MILESTONE_STATUS.activeFunded || m.status === MILESTONE_STATUS.paid,
  );
  const active = funded.find((m) => m.status === MILESTONE_STATUS.activeFunded);
  return {
    ...contractToWire(ctx, contract),
    jobDmConversationId: contract.jobDmConversationId,
    // Usage comes only from a linked annotation platform (docs/opentrain-api.md#contracts), which the sandbox does
    // not model.
    budget: {
      contractId: contract.id,
      paymentType: contract.paymentType,
      state: 'OK',
      fundedVolume: funded.reduce((sum, m) => sum + (m.volume ?? 0), 0),
      fundedAmountUsd: centsToUsd(funded.reduce((sum, m) => sum + m.amountCents, 0)),
      consumed: { seconds: 0, hours: 0, labels: 0, tasks: 0 },
      consumedVolume: 0,
      remainingVolume: 0,
      consumedFraction: 0,
      activeMilestone: active
        ? {
            id: active.id,
            name: active.name,
            amountUsd: centsToUsd(active.amountCents),
            volume: active.volume,
            status: active.status,
          }
        : null,
      lastUsageAt: null,
    },
  };
}

export function ledgerEntryToWire(entry: LedgerEntry) {
  return {
    id: entry.id,
    type: entry.type,
    amountCents: entry.amountCents,
    createdAt: entry.createdAt,
    holdEntryId: entry.holdEntryId,
    jobofferId: entry.jobofferId,
    contractId: entry.contractId,
    milestoneId: entry.milestoneId,
    topUpId: entry.topUpId,
    note: entry.note,
  };
}

/** A FUNDING invoice waiting on the human (docs/opentrain-api.md#credits-and-pending-payments). */
export function pendingPaymentToWire(ctx: SandboxContext, invoice: Invoice) {
  const { jobs, milestones } = ctx.store.state;
  return {
    id: invoice.id,
    status: invoice.status,
    invoiceKind: 'FUNDING',
    viewerRole: 'EMPLOYER',
    amountUsd: centsToUsd(
      PENDING_PAYMENT_INCLUDES_FEES ? fundChargeCents(invoice.amountCents) : invoice.amountCents,
    ),
    createdAt: invoice.createdAt,
    invoiceNumber: invoice.invoiceNumber,
    job: { id: invoice.jobId, title: jobs[invoice.jobId]?.title ?? '' },
    milestone: { id: invoice.milestoneId, name: milestones[invoice.milestoneId]?.name ?? null },
  };
}

/** Never includes the secret: it is shown once, at creation. */
export function webhookToWire(webhook: Webhook) {
  return {
    id: webhook.id,
    url: webhook.url,
    eventTypes: webhook.eventTypes,
    status: webhook.status,
    createdAt: webhook.createdAt,
    disabledAt: webhook.disabledAt,
    disabledReason: webhook.disabledReason,
  };
}
