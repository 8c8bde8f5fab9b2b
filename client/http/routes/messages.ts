import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  sendMessageInputSchema,
  threadMessageSchema,
  threadPageQuerySchema,
  threadPageSchema,
} from '../../../domain/thread';
import { decimalNumber } from '../../../domain/validation';
import type { EngagementOperations } from '../../engagement-client';
import { callerKey, idempotencyHeadersSchema } from '../idempotency';
import { engagementParamsSchema, errorResponses, mutationErrorResponses } from '../schemas';

/** The page query as query strings carry it: `limit` in plain decimal notation. */
const pageQuerySchema = threadPageQuerySchema.extend({
  limit: z.string().transform(decimalNumber).pipe(threadPageQuerySchema.shape.limit.unwrap()).optional(),
});

const common = { tags: ['messages'], security: [{ bearerAuth: [] }] };

/** The trainer's thread: send through the engagement (one message per key), read the whole thread from OpenTrain. */
export function messageRoutes(engagements: EngagementOperations): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/engagements/:id/messages',
      {
        schema: {
          ...common,
          summary: "Send a message to the trainer in the contract's thread (one message per Idempotency-Key)",
          params: engagementParamsSchema,
          headers: idempotencyHeadersSchema,
          body: sendMessageInputSchema,
          response: { 201: threadMessageSchema, ...errorResponses, ...mutationErrorResponses },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(await engagements.sendMessage(request.params.id, request.body, ...callerKey(request))),
    );

    app.get(
      '/engagements/:id/messages',
      {
        schema: {
          ...common,
          summary: 'One page of the whole thread as OpenTrain has it (direction older: newest first)',
          params: engagementParamsSchema,
          querystring: pageQuerySchema,
          response: { 200: threadPageSchema, ...errorResponses },
        },
      },
      async (request) => engagements.listMessages(request.params.id, request.query),
    );
  };
}
