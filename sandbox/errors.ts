import type { z } from 'zod';
import { fieldIssues } from '../domain/validation';
import { NOT_FOUND_RESOURCES } from './gaps';

/** The error codes of OpenTrain's envelope (docs/opentrain-api.md#errors) and their HTTP statuses. */
const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  429: 'RATE_LIMITED',
  500: 'INTERNAL_ERROR',
};

export function codeForStatus(status: number): string {
  return CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');
}

/** An error the sandbox answers with OpenTrain's envelope `{error, code, requestId, details}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  get code(): string {
    return codeForStatus(this.status);
  }
}

export function envelope(
  status: number,
  message: string,
  requestId: string,
  details?: Record<string, unknown>,
) {
  return { error: message, code: codeForStatus(status), requestId, ...(details ? { details } : {}) };
}

export function badRequest(field: string, message: string, extra?: Record<string, unknown>): ApiError {
  return new ApiError(400, message, { field, ...extra });
}

export function notFound(resource: keyof typeof NOT_FOUND_RESOURCES, id: string): ApiError {
  return new ApiError(404, `No such ${resource.replace(/s$/, '')}.`, {
    resource,
    [NOT_FOUND_RESOURCES[resource]]: id,
  });
}

export function conflict(reason: string, message: string, extra?: Record<string, unknown>): ApiError {
  return new ApiError(409, message, { reason, ...extra });
}

/** Parses with zod or throws a 400 whose `details.field` names the first bad field (all are in `issues`). */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = fieldIssues(result.error);
  const first = issues[0];
  const field = first?.path || 'body';
  throw badRequest(field, first ? `${field}: ${first.message}` : 'Invalid request body.', { issues });
}
