import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { authorize, GATES } from '../auth';
import type { SandboxContext } from '../context';
import { parseOr400 } from '../errors';
import { UPDATES_DEFAULT_LIMIT, UPDATES_MAX_LIMIT } from '../gaps';

const updatesQuerySchema = z.object({
  cursor: z
    .string()
    .regex(/^\d+$/, { error: 'must be a numeric event id from a previous nextCursor' })
    .optional(),
  limit: z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be an integer' })
    .min(1, { error: `must be between 1 and ${UPDATES_MAX_LIMIT}` })
    .max(UPDATES_MAX_LIMIT, { error: `must be between 1 and ${UPDATES_MAX_LIMIT}` })
    .default(UPDATES_DEFAULT_LIMIT),
});

/** GET /updates (docs/opentrain-api.md#updates-feed): the account's event history, oldest first after the cursor. */
export function registerUpdatesRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get('/updates', async (request) => {
    const account = authorize(ctx, request, GATES.updates);
    const query = parseOr400(updatesQuerySchema, request.query);
    return ctx.events.page(account, query.cursor, query.limit);
  });
}
