import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditTrailSchema } from '../../audit/audit-entry';
import { auditToCsv } from '../../audit/csv';
import type { EngagementOperations } from '../../engagement-client';
import { engagementStateSchema, milestoneViewSchema } from '../../../domain/engagement-view';
import { addMilestoneInputSchema, engagementInputSchema, retryInputSchema } from '../../../domain/inputs';
import { TERMINAL_PHASES } from '../../../domain/phases';
import { callerKey, idempotencyHeadersSchema } from '../idempotency';
import {
  acceptedResponseSchema,
  auditQuerySchema,
  engagementParamsSchema,
  errorResponses,
  listQuerySchema,
  listResponseSchema,
  milestoneParamsSchema,
  mutationErrorResponses,
  startedResponseSchema,
} from '../schemas';

/** Every engagement route's OpenAPI entry: tagged, behind the bearer token, with the shared error bodies. */
function documented<const S extends { response: Record<number, z.ZodType> }>(summary: string, schema: S) {
  return {
    schema: {
      tags: ['engagements'],
      security: [{ bearerAuth: [] }],
      summary,
      ...schema,
      response: { ...schema.response, ...errorResponses },
    },
  };
}

/** A POST: documented like every route, plus the `Idempotency-Key` header and what a reused key answers. */
function mutation<const S extends { response: Record<number, z.ZodType> }>(summary: string, schema: S) {
  const route = documented(summary, schema);
  return {
    schema: {
      ...route.schema,
      headers: idempotencyHeadersSchema,
      response: { ...route.schema.response, ...mutationErrorResponses },
    },
  };
}

/**
 * The engagement routes: thin — validation by the route schemas, behaviour in `EngagementClient`. Each POST hands
 * its `Idempotency-Key` down, so the workflow's intent carries the same key as the HTTP replay.
 */
export function engagementRoutes(engagements: EngagementOperations): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/engagements',
      mutation('Start the engagement for a proposal (idempotent: an existing one is returned)', {
        body: engagementInputSchema,
        response: { 201: startedResponseSchema },
      }),
      async (request, reply) => {
        const started = await engagements.start(request.body, ...callerKey(request));
        return reply.code(201).header('location', `/engagements/${started.engagementId}`).send(started);
      },
    );

    app.get(
      '/engagements',
      documented('List engagements by phase, or with an approval expiring within some hours', {
        querystring: listQuerySchema,
        response: { 200: listResponseSchema },
      }),
      async (request) => ({ engagements: await engagements.list(request.query) }),
    );

    app.get(
      '/engagements/:id',
      documented('Where the engagement stands', {
        params: engagementParamsSchema,
        response: { 200: engagementStateSchema },
      }),
      async (request) => engagements.getState(request.params.id),
    );

    app.get(
      '/engagements/:id/audit',
      documented('Every decision of the engagement in order, as JSON or (format=csv) CSV', {
        params: engagementParamsSchema,
        querystring: auditQuerySchema,
        response: { 200: auditTrailSchema.or(z.string()) },
      }),
      async (request, reply) => {
        const trail = await engagements.audit(request.params.id);
        if (request.query.format !== 'csv') return trail;
        return reply.type('text/csv; charset=utf-8').send(auditToCsv(trail));
      },
    );

    app.post(
      '/engagements/:id/milestones',
      mutation('Add a milestone (and request its funding with fund: true)', {
        params: engagementParamsSchema,
        body: addMilestoneInputSchema,
        response: { 201: milestoneViewSchema },
      }),
      async (request, reply) =>
        reply
          .code(201)
          .send(await engagements.addMilestone(request.params.id, request.body, ...callerKey(request))),
    );

    for (const action of ['fund', 'release'] as const) {
      app.post(
        `/engagements/:id/milestones/:milestoneId/${action}`,
        mutation(
          `Request the human's co-sign to ${action} a milestone; answers once the approval is requested`,
          { params: milestoneParamsSchema, response: { 202: milestoneViewSchema } },
        ),
        async (request, reply) => {
          const { id, milestoneId } = request.params;
          const view =
            action === 'fund'
              ? await engagements.fundMilestone(id, milestoneId, ...callerKey(request))
              : await engagements.releaseMilestone(id, milestoneId, ...callerKey(request));
          return reply.code(202).send(view);
        },
      );
    }

    app.post(
      '/engagements/:id/end',
      mutation('End the contract: 200 once ended, 202 while the co-signed end waits for the human', {
        params: engagementParamsSchema,
        response: { 200: engagementStateSchema, 202: engagementStateSchema },
      }),
      async (request, reply) => {
        const state = await engagements.end(request.params.id, ...callerKey(request));
        return reply.code(TERMINAL_PHASES.includes(state.phase) ? 200 : 202).send(state);
      },
    );

    app.post(
      '/engagements/:id/retry',
      mutation('Ask the human again for a parked (expired or declined) approval', {
        params: engagementParamsSchema,
        body: retryInputSchema,
        response: { 200: engagementStateSchema },
      }),
      async (request) => engagements.retry(request.params.id, request.body, ...callerKey(request)),
    );

    app.post(
      '/engagements/:id/recheck',
      mutation('Re-run the precondition checks now (after a human fixed a blocker)', {
        params: engagementParamsSchema,
        response: { 202: acceptedResponseSchema },
      }),
      async (request, reply) => {
        await engagements.recheckPreconditions(request.params.id, ...callerKey(request));
        return reply.code(202).send({ engagementId: request.params.id, accepted: true });
      },
    );

    app.post(
      '/engagements/:id/confirm-not-fit',
      mutation('Hire although the proposal was marked "Not a fit" (clears that blocker)', {
        params: engagementParamsSchema,
        response: { 200: engagementStateSchema },
      }),
      async (request) => engagements.confirmNotFit(request.params.id, ...callerKey(request)),
    );
  };
}
