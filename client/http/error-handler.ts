import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { IDEMPOTENCY_KEY_MISMATCH } from '../idempotency-key';
import { EngagementNotFoundError, InputValidationError, UpdateRejectedError } from '../errors';
import type { ErrorBody } from './schemas';
import { WAIT_AND_REPEAT_CODES } from '../../domain/engagement-errors';

/**
 * One mapping from our errors to HTTP: 400 bad input (every field), 404 unknown engagement, 409/422 refused, 422
 * `idempotency_key_mismatch` for a key reused with other arguments.
 */
export function handleApiError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = String(error.validationContext ?? 'body');
    const fields = error.validation.map((issue) => {
      const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
      // Fastify sees header names lower-cased; name them as the caller writes them (Idempotency-Key).
      const named = where === 'headers' ? path.replace(/\b[a-z]/g, (c) => c.toUpperCase()) : path;
      return { in: where, path: named, message: issue.message ?? 'invalid' };
    });
    return send(reply, 400, { error: 'Invalid input', code: 'BAD_REQUEST', fields });
  }
  if (error instanceof InputValidationError) {
    return send(reply, 400, { error: 'Invalid input', code: 'BAD_REQUEST', fields: error.issues });
  }
  if (error instanceof EngagementNotFoundError) {
    return send(reply, 404, { error: error.message, code: 'NOT_FOUND' });
  }
  if (error instanceof UpdateRejectedError) {
    // Our schemas already passed; if the workflow still calls the input invalid, say 422, else it is the
    // engagement's state that refuses (unknown milestone, not funded, over budget, ended): 409. A key reused
    // with other arguments is the caller's mistake, as the replay store answers it: 422 with its own code.
    const mismatch = error.failureType === IDEMPOTENCY_KEY_MISMATCH;
    const status = mismatch || error.failureType === 'InputValidationError' ? 422 : 409;
    // "Not now, another intent is under way": the same key, repeated later, is meant to succeed.
    if (WAIT_AND_REPEAT_CODES.some((code) => code === error.failureType)) reply.header('retry-after', '3');
    return send(reply, status, {
      error: error.message,
      code: mismatch ? IDEMPOTENCY_KEY_MISMATCH : 'REJECTED',
      reason: error.reason,
      ...(error.failureType ? { failureType: error.failureType } : {}),
      ...(error.details ? { details: error.details } : {}),
    });
  }
  const status = error.statusCode ?? 500;
  if (status < 500)
    return send(reply, status, { error: error.message, code: error.code ?? `HTTP_${status}` });
  request.log.error({ err: error }, 'request failed');
  return send(reply, 500, { error: 'Internal error', code: 'INTERNAL' });
}

function send(reply: FastifyReply, status: number, body: ErrorBody): FastifyReply {
  return reply.code(status).send(body);
}
