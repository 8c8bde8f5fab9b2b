import type { FastifyInstance } from 'fastify';
import { expireIfDue } from '../approvals';
import { authorize, GATES } from '../auth';
import type { SandboxContext } from '../context';
import { pendingPaymentToWire } from '../wire';

/**
 * GET /payments/pending (docs/opentrain-api.md#credits-and-pending-payments): funding invoices waiting on the
 * human, newest first.
 */
export function registerPaymentRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get('/payments/pending', async (request) => {
    const account = authorize(ctx, request, GATES.paymentsRead);
    // A funding request that lapsed unread voids its invoice now (lazy expiry,
    // docs/opentrain-api.md#approval-lifecycle), so it is not listed.
    for (const approval of Object.values(ctx.store.state.approvals)) {
      if (approval.accountId === account.id) expireIfDue(ctx, approval);
    }
    const pending = Object.values(ctx.store.state.invoices)
      .filter((invoice) => invoice.accountId === account.id && invoice.status === 'PENDING_FUNDING')
      .reverse();
    return { payments: pending.map((invoice) => pendingPaymentToWire(ctx, invoice)) };
  });
}
