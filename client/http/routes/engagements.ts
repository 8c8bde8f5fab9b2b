import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { EngagementOperations } from '../../engagement-client';
import { engagementStateSchema, milestoneViewSchema } from '../../../domain/engagement-view';
import { addMilestoneInputSchema, engagementInputSchema, retryInputSchema } from '../../../domain/inputs';
import { TERMINAL_PHASES } from '../../../domain/phases';
import {
  acceptedResponseSchema,
  engagementParamsSchema,
  errorResponses,
  listQuerySchema,
  listResponseSchema,
  milestoneParamsSchema,
  startedResponseSchema,
} from '../schemas';

const security = [{ bearerAuth: [] }];
const tags = ['engagements'];

/** The engagement routes: thin — validation by the route schemas, behaviour in `EngagementClient`. */
export function engagementRoutes(engagements: EngagementOperations): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/engagements',
      {
        schema: {
          tags,
          security,
          summary: 'Start the engagement for a proposal (idempotent: an existing one is returned)',
          body: engagementInputSchema,
          response: { 201: startedResponseSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const started = await engagements.start(request.body);
        return reply.code(201).header('location', `/engagements/${started.engagementId}`).send(started);
      },
    );

    app.get(
      '/engagements',
      {
        schema: {
          tags,
          security,
          summary: 'List engagements by phase, or with an approval expiring within some hours',
          querystring: listQuerySchema,
          response: { 200: listResponseSchema, ...errorResponses },
        },
      },
      async (request) => ({ engagements: await engagements.list(request.query) }),
    );

    app.get(
      '/engagements/:id',
      {
        schema: {
          tags,
          security,
          summary: 'Where the engagement stands',
          params: engagementParamsSchema,
          response: { 200: engagementStateSchema, ...errorResponses },
        },
      },
      async (request) => engagements.getState(request.params.id),
    );

    app.post(
      '/engagements/:id/milestones',
      {
        schema: {
          tags,
          security,
          summary: 'Add a milestone (and request its funding with fund: true)',
          params: engagementParamsSchema,
          body: addMilestoneInputSchema,
          response: { 201: milestoneViewSchema, ...errorResponses },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await engagements.addMilestone(request.params.id, request.body)),
    );

    for (const action of ['fund', 'release'] as const) {
      app.post(
        `/engagements/:id/milestones/:milestoneId/${action}`,
        {
          schema: {
            tags,
            security,
            summary: `Request the human's co-sign to ${action} a milestone; answers once the approval is requested`,
            params: milestoneParamsSchema,
            response: { 202: milestoneViewSchema, ...errorResponses },
          },
        },
        async (request, reply) => {
          const { id, milestoneId } = request.params;
          const view =
            action === 'fund'
              ? await engagements.fundMilestone(id, milestoneId)
              : await engagements.releaseMilestone(id, milestoneId);
          return reply.code(202).send(view);
        },
      );
    }

    app.post(
      '/engagements/:id/end',
      {
        schema: {
          tags,
          security,
          summary: 'End the contract: 200 once ended, 202 while the co-signed end waits for the human',
          params: engagementParamsSchema,
          response: { 200: engagementStateSchema, 202: engagementStateSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const state = await engagements.end(request.params.id);
        return reply.code(TERMINAL_PHASES.includes(state.phase) ? 200 : 202).send(state);
      },
    );

    app.post(
      '/engagements/:id/retry',
      {
        schema: {
          tags,
          security,
          summary: 'Ask the human again for a parked (expired or declined) approval',
          params: engagementParamsSchema,
          body: retryInputSchema,
          response: { 200: engagementStateSchema, ...errorResponses },
        },
      },
      async (request) => engagements.retry(request.params.id, request.body),
    );

    app.post(
      '/engagements/:id/recheck',
      {
        schema: {
          tags,
          security,
          summary: 'Re-run the precondition checks now (after a human fixed a blocker)',
          params: engagementParamsSchema,
          response: { 202: acceptedResponseSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        await engagements.recheckPreconditions(request.params.id);
        return reply.code(202).send({ engagementId: request.params.id, accepted: true });
      },
    );

    app.post(
      '/engagements/:id/confirm-not-fit',
      {
        schema: {
          tags,
          security,
          summary: 'Hire although the proposal was marked "Not a fit" (clears that blocker)',
          params: engagementParamsSchema,
          response: { 200: engagementStateSchema, ...errorResponses },
        },
      },
      async (request) => engagements.confirmNotFit(request.params.id),
    );
  };
}
