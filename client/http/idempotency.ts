import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { fingerprintOf } from '../../domain/intents';
import { IDEMPOTENCY_KEY_MISMATCH, idempotencyKeySchema } from '../idempotency-key';
import type { IdempotencyOptions } from '../idempotency-key';
import { presentedBearerToken } from './bearer-auth';
import type { ErrorBody } from './schemas';

/**
 * The `Idempotency-Key` header on every POST (IETF httpapi idempotency-key draft): the same key and body replay
 * the first response, the same key with another body is refused, and a repeat that arrives while the first is
 * still running waits for it. Replies live here for a day; past that the workflow's own intent record answers.
 */

const HEADER = 'idempotency-key';
const DAY_MS = 24 * 60 * 60 * 1000;

/** The draft sends a structured-field string (`"…"`); most clients send the bare key. Both mean the same key. */
function unquote(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(value);
  return quoted ? (quoted[1] ?? '').replace(/\\(.)/g, '$1') : value;
}

/** Fastify matches lower-cased header names; the validated value replaces the raw one on the request. */
export const idempotencyHeadersSchema = z.object({
  [HEADER]: z
    .preprocess(unquote, idempotencyKeySchema)
    .optional()
    .meta({
      description:
        'Idempotency-Key: makes this POST safe to repeat. The same key and body replay the first response ' +
        '(header Idempotent-Replayed: true); the same key with another body answers 422 ' +
        '`idempotency_key_mismatch`. Kept 24 h per bearer token and route. Without it each request is its own.',
    }),
});

/** The caller's key for the engagement layer, or no argument at all so the client makes one. */
export function callerKey(request: FastifyRequest): [] | [IdempotencyOptions] {
  const key = request.headers[HEADER];
  return typeof key === 'string' ? [{ idempotencyKey: key }] : [];
}

export interface SavedResponse {
  statusCode: number;
  headers: Record<string, string | number | string[]>;
  payload: string;
}

export type Claim =
  /** Nobody ran this yet: the caller runs it and hands its response (or undefined when none is reusable). */
  | { kind: 'first'; finish(response: SavedResponse | undefined): void }
  /** Already run or running: the first's response once there is one (undefined: run it yourself). */
  | { kind: 'repeat'; response: Promise<SavedResponse | undefined> }
  | { kind: 'mismatch' };

interface Entry {
  fingerprint: string;
  response: Promise<SavedResponse | undefined>;
  /** Infinity while the first request runs: a running request never expires under its waiters. */
  expiresAt: number;
}

/** In memory and bounded: least recently used out first, and each reply forgotten after `ttlMs`. */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly capacity: number;
  private readonly now: () => number;

  constructor(options: { ttlMs?: number; capacity?: number; now?: () => number } = {}) {
    this.ttlMs = options.ttlMs ?? DAY_MS;
    this.capacity = options.capacity ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  claim(scope: string, fingerprint: string): Claim {
    const found = this.entries.get(scope);
    this.entries.delete(scope); // re-inserted below, so Map order stays least recently used first
    if (found && found.expiresAt > this.now()) {
      this.entries.set(scope, found);
      return found.fingerprint === fingerprint
        ? { kind: 'repeat', response: found.response }
        : { kind: 'mismatch' };
    }
    let resolve: (response: SavedResponse | undefined) => void = () => undefined;
    const response = new Promise<SavedResponse | undefined>((r) => (resolve = r));
    const entry: Entry = { fingerprint, response, expiresAt: Infinity };
    this.entries.set(scope, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value ?? scope);
    return {
      kind: 'first',
      finish: (saved) => {
        // A 5xx may be a passing fault, and a Retry-After says "repeat later": neither is the key's answer, so
        // the next request with the key runs again.
        if (saved && saved.statusCode < 500 && saved.headers['retry-after'] === undefined)
          entry.expiresAt = this.now() + this.ttlMs;
        else if (this.entries.get(scope) === entry) this.entries.delete(scope);
        resolve(saved);
      },
    };
  }
}

/** Keys are per caller (a hash: the token itself is never kept), method, route and path parameters. */
function scopeOf(request: FastifyRequest, key: string): string {
  const caller = createHash('sha256')
    .update(presentedBearerToken(request.headers.authorization))
    .digest('hex');
  return fingerprintOf([caller, request.method, request.routeOptions.url, request.params, key]);
}

function replay(reply: FastifyReply, saved: SavedResponse): FastifyReply {
  // A string payload with its content type is sent as it is, so the body is byte for byte the first one.
  return reply
    .code(saved.statusCode)
    .headers(saved.headers)
    .header('idempotent-replayed', 'true')
    .send(saved.payload);
}

/** Adds the hooks to `scope`: every POST route registered in it honours the header. */
export function useIdempotencyKeys(scope: FastifyInstance, store = new IdempotencyStore()): void {
  const running = new WeakMap<FastifyRequest, (response: SavedResponse | undefined) => void>();

  // After validation: a request refused for its input never claims its key.
  scope.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST') return;
    const [options] = callerKey(request);
    if (!options?.idempotencyKey) return;
    const scopeId = scopeOf(request, options.idempotencyKey);
    const fingerprint = fingerprintOf(request.body ?? null);
    while (true) {
      const claim = store.claim(scopeId, fingerprint);
      if (claim.kind === 'first') return void running.set(request, claim.finish);
      if (claim.kind === 'mismatch') {
        const body: ErrorBody = {
          error: `Idempotency-Key ${options.idempotencyKey} was already used with another request body`,
          code: IDEMPOTENCY_KEY_MISMATCH,
        };
        return reply.code(422).send(body);
      }
      const first = await claim.response;
      if (first) return replay(reply, first);
      // The first request left nothing to replay; this one runs it instead.
    }
  });

  scope.addHook('onSend', async (request, reply, payload) => {
    const finish = running.get(request);
    if (!finish) return payload;
    running.delete(request);
    const { 'content-length': _length, ...headers } = reply.getHeaders();
    const kept = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined));
    finish(
      typeof payload === 'string'
        ? { statusCode: reply.statusCode, headers: kept as SavedResponse['headers'], payload }
        : undefined,
    );
    return payload;
  });
}
