import type { FastifyInstance } from 'fastify';
import { readApproval } from '../approvals';
import { authorize, GATES } from '../auth';
import type { SandboxContext } from '../context';
import { approvalToWire } from '../wire';

/** GET /approvals/{id} (docs/opentrain-api.md#approvals): lazily expires a pending approval past its expiresAt. */
export function registerApprovalRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get<{ Params: { approvalId: string } }>('/approvals/:approvalId', async (request) => {
    const account = authorize(ctx, request, GATES.paymentsRead);
    return { approval: approvalToWire(ctx, readApproval(ctx, request.params.approvalId, account.id)) };
  });
}
