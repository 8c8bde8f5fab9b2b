import fc from 'fast-check';
import { phaseSchema } from '../../domain/phases';
import {
  addMilestoneCorruption,
  badEngagementId,
  badId,
  bodyCase,
  retryCorruption,
  startCorruption,
  validAddMilestone,
  validRetry,
  validStart,
} from './edges-arbitraries';
import type { Json } from './edges-arbitraries';
import { KNOWN_ID } from './fake-engagements';

/**
 * Requests for every engagement route: valid ones, ones with named bad fields, and junk bodies (anything at all
 * sent as JSON), each with what the answer must be.
 */
export type HttpCase = {
  method: 'GET' | 'POST';
  url: string;
  /** An object is sent as JSON; a string is sent as it is, with `content-type: application/json`. */
  body?: Json | string;
} & (
  | { kind: 'valid' }
  | { kind: 'bad'; fields: string[][] }
  /** No field to name (not even JSON, or not an object): any 400 without reaching the engagements. */
  | { kind: 'junk' }
);

const at = (id: string) => encodeURIComponent(id);
const milestoneId = fc.stringMatching(/^m_[a-z0-9]{1,20}$/);

function withBody(method: 'POST', url: string, body: { body: Json; expect: string[][] }): HttpCase {
  return body.expect.length === 0
    ? { method, url, body: body.body, kind: 'valid' }
    : { method, url, body: body.body, kind: 'bad', fields: body.expect };
}

const BODY_ROUTES = ['/engagements', `/engagements/${KNOWN_ID}/milestones`, `/engagements/${KNOWN_ID}/retry`];

const listQuery: fc.Arbitrary<HttpCase> = fc
  .record(
    {
      phase: fc.oneof(fc.constantFrom(...phaseSchema.options), fc.stringMatching(/^[a-z_]{1,12}$/)),
      hours: fc.oneof(
        fc.constantFrom('0x10', '1e2', '-1', '0', '9000', 'abc', ' 1', '', '1.5'),
        fc.integer({ min: 1, max: 9_000 }).map(String),
      ),
    },
    { requiredKeys: [] },
  )
  .map(({ phase, hours }): HttpCase => {
    const query = new URLSearchParams();
    if (phase !== undefined) query.set('phase', phase);
    if (hours !== undefined) query.set('expiringWithinHours', hours);
    const phases: readonly string[] = phaseSchema.options;
    // Independent of the code under test: plain decimal hours in (0, 366 days].
    const hoursBad =
      hours !== undefined && (!/^\d+(\.\d+)?$/.test(hours) || Number(hours) <= 0 || Number(hours) > 24 * 366);
    const fields = [
      ...(phase !== undefined && !phases.includes(phase) ? [['phase']] : []),
      ...(hoursBad ? [['expiringWithinHours']] : []),
    ];
    const url = `/engagements?${query}`;
    return fields.length
      ? { method: 'GET', url, kind: 'bad', fields }
      : { method: 'GET', url, kind: 'valid' };
  });

export const httpCase: fc.Arbitrary<HttpCase> = fc.oneof(
  bodyCase(validStart, startCorruption).map((b) => withBody('POST', '/engagements', b)),
  bodyCase(validAddMilestone, addMilestoneCorruption).map((b) =>
    withBody('POST', `/engagements/${KNOWN_ID}/milestones`, b),
  ),
  bodyCase(validRetry, retryCorruption).map((b) => withBody('POST', `/engagements/${KNOWN_ID}/retry`, b)),
  // Every route with an engagement id: a bad one is named `id`.
  fc
    .tuple(
      badEngagementId,
      fc.constantFrom('', '/end', '/recheck', '/confirm-not-fit', '/milestones', '/retry'),
    )
    .map(([id, route]): HttpCase => ({
      method: route === '' ? 'GET' : 'POST',
      url: `/engagements/${at(id)}${route}`,
      body:
        route === '/milestones'
          ? { description: 'x', amountUsd: 1 }
          : route === '/retry'
            ? { approvalId: 'a' }
            : undefined,
      kind: 'bad',
      fields: [['id']],
    })),
  // An empty segment is another URL (404), not a blank id.
  fc
    .tuple(
      fc.constantFrom('fund', 'release'),
      fc.oneof(
        badId.filter((v) => typeof v === 'string' && v !== ''),
        milestoneId,
      ),
    )
    .map(([action, id]): HttpCase => {
      const url = `/engagements/${KNOWN_ID}/milestones/${at(String(id))}/${action}`;
      return /^m_/.test(String(id))
        ? { method: 'POST', url, kind: 'valid' }
        : { method: 'POST', url, kind: 'bad', fields: [['milestoneId']] };
    }),
  listQuery,
  fc
    .tuple(
      fc.constantFrom(...BODY_ROUTES),
      fc.oneof(
        fc.string(),
        fc.jsonValue().map((v) => JSON.stringify(v)),
      ),
    )
    .filter(([, text]) => !isPlainObjectJson(text))
    .map(([url, body]): HttpCase => ({ method: 'POST', url, body, kind: 'junk' })),
);

function isPlainObjectJson(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
