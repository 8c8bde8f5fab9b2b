import { isGrpcServiceError } from '@temporalio/client';
import { EngagementNotFoundError, InputValidationError, UpdateRejectedError } from '../errors';

/**
 * Every failure of a tool as a tool error (`isError: true`) an agent can tell apart by its first word: bad input
 * names every field, an unknown engagement, a refusal by the engagement (with what to do about it), Temporal out of
 * reach. Nothing a tool throws ends the server.
 */
export type ToolErrorCode =
  'invalid_input' | 'unknown_engagement' | 'refused' | 'temporal_unavailable' | 'internal_error';

export interface ToolErrorResult {
  [key: string]: unknown;
  isError: true;
  content: { type: 'text'; text: string }[];
}

export function toolError(code: ToolErrorCode, text: string): ToolErrorResult {
  return { isError: true, content: [{ type: 'text', text: `${code}: ${text}` }] };
}

export function toolErrorOf(err: unknown): ToolErrorResult {
  if (err instanceof InputValidationError)
    return toolError(
      'invalid_input',
      err.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '),
    );
  if (err instanceof EngagementNotFoundError)
    return toolError('unknown_engagement', `${err.message}; list_engagements shows the ones there are.`);
  if (err instanceof UpdateRejectedError) return toolError('refused', refusalText(err));
  if (temporalUnreachable(err))
    return toolError(
      'temporal_unavailable',
      'cannot reach the Temporal server (TEMPORAL_ADDRESS); nothing was sent. Repeat the call with the same ' +
        'idempotencyKey once it is back.',
    );
  return toolError('internal_error', err instanceof Error ? err.message : String(err));
}

/** The workflow's words, its failure type, and the links it attached (a billing page, a blocker's url). */
function refusalText(err: UpdateRejectedError): string {
  const type = err.failureType ? ` [${err.failureType}]` : '';
  const links = Object.entries(err.details ?? {})
    .filter(([key, value]) => typeof value === 'string' && /url$/i.test(key))
    .map(([key, value]) => ` ${key}: ${String(value)}`);
  const remedy = links.length ? ` The human can fix it at:${links.join(',')}.` : '';
  return `${err.operation} on ${err.engagementId}${type}: ${err.reason}.${remedy}`;
}

/** gRPC UNAVAILABLE or DEADLINE_EXCEEDED anywhere in the cause chain: the server is not answering. */
const UNREACHABLE_CODES = new Set([4, 14]);

export function temporalUnreachable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    if (isGrpcServiceError(e) && UNREACHABLE_CODES.has(e.code)) return true;
    if (/Failed to connect to Temporal server|ECONNREFUSED|No connection established/.test(e.message))
      return true;
  }
  return false;
}
