import type { FastifyInstance } from 'fastify';
import { authorize, GATES } from '../auth';
import type { SandboxContext } from '../context';
import { pendingPaymentToWire } from '../wire';

/** GET /payments/pending (§2.14): funding invoices waiting on the human, newest first. */
export function registerPaymentRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get('/payments/pending', async (request) => {
    const account = authorize(ctx, request, GATES.paymentsRead);
    const pending = Object.values(ctx.store.state.invoices)
      .filter((invoice) => invoice.accountId === account.id && invoice.status === 'PENDING_FUNDING')
      .reverse();
    return { payments: pending.map((invoice) => pendingPaymentToWire(ctx, invoice)) };
  });
}
