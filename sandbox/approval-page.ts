import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  centsToUsd,
  fundChargeCents,
  hireChargeCents,
  INITIATION_FEE_CENTS,
  marketplaceFeeCents,
} from '../domain/money';
import { confirmApproval, declineApproval, readApproval } from './approvals';
import type { SandboxContext } from './context';
import { ApiError, parseOr400 } from './errors';
import { MILESTONE_STATUS } from './gaps';
import { hireEditsSchema } from './hire-terms';
import { milestonesOf } from './lookups';
import type { Approval } from './model';

/**
 * The human who co-signs: `approvalUrl` opens this page (no bearer token), which shows what is being approved,
 * the money and fees, the milestone and the time left, with Confirm and Decline as plain HTML forms. A hire's
 * milestone fields are editable and the human's values win.
 */

const TITLES: Record<Approval['type'], string> = {
  proposal_hire: 'Hire an AI trainer',
  milestone_fund: 'Fund a milestone',
  milestone_approve: 'Release a milestone payment',
  contract_end: 'End a contract',
};

const usd = (cents: number): string =>
  centsToUsd(cents).toLocaleString('en-US', { style: 'currency', currency: 'USD' });

function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch,
  );
}

function timeLeft(ms: number): string {
  if (ms <= 0) return 'expired';
  const minutes = Math.floor(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  return `${days > 0 ? `${days} d ` : ''}${hours} h ${minutes % 60} min left`;
}

const rows = (pairs: [string, string][]): string =>
  `<table>${pairs.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${v}</td></tr>`).join('')}</table>`;

function hireSection(approval: Approval, editable: boolean): string {
  const terms = approval.terms;
  if (!terms) return '';
  const fee = marketplaceFeeCents(terms.amountCents);
  const money = rows([
    ['First milestone (escrow)', usd(terms.amountCents)],
    ['Marketplace fee (10%)', usd(fee)],
    ['Contract initiation fee', usd(INITIATION_FEE_CENTS)],
    ['Total charged at confirmation', `<strong>${usd(hireChargeCents(terms.amountCents))}</strong>`],
  ]);
  if (!editable) {
    return `<h2>Milestone</h2>${rows([
      ['Name', escapeHtml(terms.name)],
      ['Description', escapeHtml(terms.description)],
      ['Amount', usd(terms.amountCents)],
      ['Due', escapeHtml(terms.dueDate?.slice(0, 10) ?? '—')],
    ])}<h2>Money</h2>${money}`;
  }
  return `<h2>Money</h2>${money}
<p>You may adjust the first milestone before confirming; fees are recomputed from the amount you confirm.</p>`;
}

function hireFields(approval: Approval): string {
  const terms = approval.terms;
  if (!terms) return '';
  return `<fieldset><legend>First milestone</legend>
<label>Amount (USD) <input name="amount" type="number" step="0.01" min="0.01" value="${centsToUsd(terms.amountCents).toFixed(2)}" required></label>
<label>Name <input name="name" value="${escapeHtml(terms.name)}"></label>
<label>Description <textarea name="description">${escapeHtml(terms.description)}</textarea></label>
<label>Due date <input name="dueDate" type="date" value="${escapeHtml(terms.dueDate?.slice(0, 10) ?? '')}"></label>
</fieldset>`;
}

function milestoneSection(ctx: SandboxContext, approval: Approval): string {
  const milestone = ctx.store.state.milestones[approval.milestoneId ?? ''];
  if (approval.type === 'contract_end') {
    const funded = milestonesOf(ctx, approval.contractId ?? '').filter(
      (m) => m.status === MILESTONE_STATUS.activeFunded,
    );
    return `<h2>Funded escrow returned to you</h2>${rows(funded.map((m) => [`#${m.milestoneNumber} ${m.name ?? m.description}`, usd(m.amountCents)]))}`;
  }
  if (!milestone) return '';
  const details = rows([
    ['Milestone', `#${milestone.milestoneNumber} ${escapeHtml(milestone.name ?? '')}`],
    ['Description', escapeHtml(milestone.description)],
    ['Status', escapeHtml(milestone.status)],
    ['Due', escapeHtml(milestone.dueDate?.slice(0, 10) ?? '—')],
  ]);
  const money =
    approval.type === 'milestone_fund'
      ? rows([
          ['Milestone amount (escrow)', usd(milestone.amountCents)],
          ['Marketplace fee (10%)', usd(marketplaceFeeCents(milestone.amountCents))],
          [
            'Total charged at confirmation',
            `<strong>${usd(fundChargeCents(milestone.amountCents))}</strong>`,
          ],
        ])
      : rows([
          [
            'Paid out to the trainer from escrow (irreversible)',
            `<strong>${usd(milestone.amountCents)}</strong>`,
          ],
        ]);
  return `<h2>Milestone</h2>${details}<h2>Money</h2>${money}`;
}

function renderPage(ctx: SandboxContext, approval: Approval, notice: string | undefined): string {
  const { state } = ctx.store;
  const job = state.jobs[approval.jobId];
  const contract = state.contracts[approval.contractId ?? ''];
  const proposal = state.proposals[approval.proposalId ?? ''];
  const trainer = contract?.freelancer ?? proposal?.freelancer;
  const pending = approval.status === 'pending';
  const left = Date.parse(approval.expiresAt) - ctx.clock.nowMs();
  const summary = rows([
    ['Status', `<span id="status">${escapeHtml(approval.status)}</span>`],
    ['Time left', pending ? escapeHtml(timeLeft(left)) : '—'],
    ['Job', escapeHtml(job?.title)],
    ['AI trainer', escapeHtml(trainer ? `${trainer.displayName} (${trainer.country})` : '—')],
    ...(contract ? ([['Contract', escapeHtml(contract.title)]] as [string, string][]) : []),
  ]);
  const body =
    approval.type === 'proposal_hire' ? hireSection(approval, pending) : milestoneSection(ctx, approval);
  const actions = pending
    ? `<form method="post" action="/approvals/${approval.id}/confirm">${approval.type === 'proposal_hire' ? hireFields(approval) : ''}
<button type="submit" id="confirm">Confirm</button></form>
<form method="post" action="/approvals/${approval.id}/decline"><button type="submit" id="decline">Decline</button></form>`
    : approval.result
      ? `<h2>Result</h2>${rows(Object.entries(approval.result).map(([k, v]) => [k, escapeHtml(v)]))}`
      : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(TITLES[approval.type])} — OpenTrain sandbox</title>
<style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem}th{text-align:left;padding-right:1rem}
label{display:block;margin:.4rem 0}form{display:inline-block;margin:1rem 1rem 0 0}.notice{padding:.6rem;background:#eef}</style></head>
<body><p>OpenTrain sandbox · an agent asked for your approval</p>
<h1>${escapeHtml(TITLES[approval.type])}</h1>
${notice ? `<p class="notice" id="notice">${escapeHtml(notice)}</p>` : ''}
${summary}${body}${actions}</body></html>`;
}

function sendHtml(reply: FastifyReply, status: number, html: string) {
  return reply.code(status).type('text/html; charset=utf-8').send(html);
}

/** Serves /approvals/{id} (+ /confirm, /decline) at the origin, outside the public API. */
export function registerApprovalPages(app: FastifyInstance, ctx: SandboxContext): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );

  app.setErrorHandler((error, request, reply) => {
    const status = error instanceof ApiError ? error.status : 500;
    if (status === 500) request.log.error(error);
    const message = error instanceof ApiError ? error.message : 'Internal error.';
    return sendHtml(
      reply,
      status,
      `<!doctype html><title>OpenTrain sandbox</title><p>${escapeHtml(message)}</p>`,
    );
  });

  app.get<{ Params: { approvalId: string }; Querystring: { notice?: string } }>(
    '/approvals/:approvalId',
    async (request, reply) => {
      const approval = readApproval(ctx, request.params.approvalId);
      return sendHtml(reply, 200, renderPage(ctx, approval, request.query.notice));
    },
  );

  const afterAction = (reply: FastifyReply, approvalId: string, notice: string) =>
    reply.redirect(`/approvals/${encodeURIComponent(approvalId)}?notice=${encodeURIComponent(notice)}`, 303);

  app.post<{ Params: { approvalId: string }; Body: Record<string, string> | undefined }>(
    '/approvals/:approvalId/confirm',
    async (request, reply) => {
      const { approvalId } = request.params;
      const form = request.body ?? {};
      try {
        const approval = readApproval(ctx, approvalId);
        const edits =
          approval.type === 'proposal_hire'
            ? parseOr400(hireEditsSchema, {
                amount: form.amount ? Number(form.amount) : undefined,
                name: form.name,
                description: form.description,
                dueDate: form.dueDate ? form.dueDate : form.dueDate === '' ? null : undefined,
              })
            : undefined;
        confirmApproval(ctx, approvalId, edits);
        return afterAction(reply, approvalId, 'Confirmed. The action has been carried out.');
      } catch (error) {
        if (!(error instanceof ApiError) || error.status === 404) throw error;
        return afterAction(reply, approvalId, `Not confirmed: ${error.message}`);
      }
    },
  );

  app.post<{ Params: { approvalId: string } }>('/approvals/:approvalId/decline', async (request, reply) => {
    const { approvalId } = request.params;
    try {
      declineApproval(ctx, approvalId);
      return afterAction(reply, approvalId, 'Declined. Nothing was executed.');
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 404) throw error;
      return afterAction(reply, approvalId, `Not declined: ${error.message}`);
    }
  });
}
