import { Pool } from 'undici';
import type { z } from 'zod';
import type { ResolvedClientOptions } from './config';
import { OpenTrainApiError, OpenTrainResponseError } from './errors';
import {
  NON_JSON_ERROR_SNIPPET_CHARS,
  REQUEST_ID_HEADER,
  RETRY_AFTER_HEADER,
  isRetryableStatus,
} from './gaps';
import { parseRetryAfterMs } from './retry-after';
import { errorEnvelopeSchema } from './schemas';

/**
 * JSON over HTTP to the OpenTrain Public API: one keep-alive undici Pool per origin, shared by every client with
 * that origin (reference-counted, closed with its last client), bearer auth, a whole-request timeout, and the
 * mapping of every failure to OpenTrainApiError / OpenTrainResponseError. No retries: the caller decides.
 */

type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface RequestOptions {
  /** Aborts the request (e.g. Temporal's activity cancellation signal). */
  signal?: AbortSignal;
}

export interface ApiCall<S extends z.ZodType> extends RequestOptions {
  method: HttpMethod;
  /** Below the base URL, ids already encoded: `/contracts/c_1`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** The schema of a 2xx body; it may depend on the status (dual-mode endpoints). */
  schema: S | ((status: number) => S);
}

/** One finished request, for metrics: `endpoint` is a template (`POST /contracts/:id/end`), never an id. */
export interface OpenTrainResponseEvent {
  method: HttpMethod;
  endpoint: string;
  /** The HTTP status, or `network`/`timeout`/`aborted` when no response arrived. */
  status: string;
}
export type OpenTrainResponseObserver = (event: OpenTrainResponseEvent) => void;

/** Ids are the segments with a digit in them (`c_01H…`, `m_3`); the fixed names (`auth/me`, `fund`) have none. */
export function endpointTemplate(method: HttpMethod, path: string): string {
  return `${method} ${path.replace(/[^/]*\d[^/]*/g, ':id')}`;
}

interface SharedPool {
  pool: Pool;
  users: number;
}
const pools = new Map<string, SharedPool>();

function acquirePool(origin: string): Pool {
  const shared = pools.get(origin) ?? { pool: new Pool(origin), users: 0 };
  shared.users += 1;
  pools.set(origin, shared);
  return shared.pool;
}

async function releasePool(origin: string, pool: Pool): Promise<void> {
  const shared = pools.get(origin);
  if (!shared || shared.pool !== pool) return;
  shared.users -= 1;
  if (shared.users > 0) return;
  pools.delete(origin);
  await pool.close();
}

export class OpenTrainHttp {
  readonly #token: string;
  readonly #timeoutMs: number;
  readonly #origin: string;
  readonly #basePath: string;
  #pool: Pool | undefined;
  readonly #observe: OpenTrainResponseObserver | undefined;

  constructor(options: ResolvedClientOptions, observe?: OpenTrainResponseObserver) {
    this.#observe = observe;
    const url = new URL(options.baseUrl);
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs;
    this.#origin = url.origin;
    this.#basePath = url.pathname.replace(/\/+$/, '');
    this.#pool = acquirePool(this.#origin);
  }

  async request<S extends z.ZodType>(call: ApiCall<S>): Promise<z.output<S>> {
    let status = 'network';
    try {
      return await this.#request(call, (received) => (status = received));
    } catch (error) {
      if (error instanceof OpenTrainApiError && error.status === 0) status = error.code.toLowerCase();
      throw error;
    } finally {
      this.#observe?.({ method: call.method, endpoint: endpointTemplate(call.method, call.path), status });
    }
  }

  async #request<S extends z.ZodType>(
    call: ApiCall<S>,
    received: (status: string) => void,
  ): Promise<z.output<S>> {
    const pool = this.#pool;
    if (!pool) throw new Error('OpenTrain client is closed');
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = call.signal ? AbortSignal.any([timeout, call.signal]) : timeout;
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#token}`,
      accept: 'application/json',
    };
    if (call.body !== undefined) headers['content-type'] = 'application/json';

    let status: number;
    let responseHeaders: Record<string, string | string[] | undefined>;
    let text: string;
    try {
      const response = await pool.request({
        method: call.method,
        path: this.#basePath + call.path + queryString(call.query),
        headers,
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal,
      });
      status = response.statusCode;
      received(String(status));
      responseHeaders = response.headers;
      text = this.#redact(await response.body.text());
    } catch (error) {
      throw this.#transportError(call, error, timeout, call.signal);
    }

    if (status < 200 || status >= 300) throw this.#statusError(call, status, responseHeaders, text);
    const endpoint = `${call.method} ${call.path}`;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new OpenTrainResponseError(endpoint, '(body)', `not JSON (HTTP ${status})`);
    }
    const schema = typeof call.schema === 'function' ? call.schema(status) : call.schema;
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(body)';
      throw new OpenTrainResponseError(endpoint, field, issue?.message ?? 'invalid');
    }
    return parsed.data;
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool) await releasePool(this.#origin, pool);
  }

  /** A server might echo the Authorization header in an error page; the token never leaves this class. */
  #redact(text: string): string {
    return text.includes(this.#token) ? text.split(this.#token).join('[REDACTED]') : text;
  }

  #transportError(
    call: ApiCall<z.ZodType>,
    error: unknown,
    timeout: AbortSignal,
    callerSignal: AbortSignal | undefined,
  ): OpenTrainApiError {
    const base = { status: 0, method: call.method, path: call.path, cause: error };
    if (callerSignal?.aborted) {
      return new OpenTrainApiError({
        ...base,
        code: 'ABORTED',
        message: 'request aborted',
        retryable: false,
      });
    }
    if (timeout.aborted) {
      return new OpenTrainApiError({
        ...base,
        code: 'TIMEOUT',
        message: `no complete response within ${this.#timeoutMs} ms`,
        retryable: true,
      });
    }
    const code = (error as { code?: unknown }).code;
    const detail = typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
    return new OpenTrainApiError({
      ...base,
      code: 'NETWORK_ERROR',
      message: this.#redact(`network error: ${detail}`),
      retryable: true,
    });
  }

  #statusError(
    call: ApiCall<z.ZodType>,
    status: number,
    headers: Record<string, string | string[] | undefined>,
    text: string,
  ): OpenTrainApiError {
    const retryAfterMs = parseRetryAfterMs(headers[RETRY_AFTER_HEADER], Date.now());
    const headerRequestId = headers[REQUEST_ID_HEADER];
    const common = {
      status,
      method: call.method,
      path: call.path,
      retryable: isRetryableStatus(status),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(typeof headerRequestId === 'string' ? { requestId: headerRequestId } : {}),
    };
    const envelope = errorEnvelopeSchema.safeParse(safeJson(text));
    if (!envelope.success) {
      const snippet = text.trim().slice(0, NON_JSON_ERROR_SNIPPET_CHARS);
      return new OpenTrainApiError({
        ...common,
        code: `HTTP_${status}`,
        message: snippet ? `non-JSON error body: ${snippet}` : 'empty error body',
      });
    }
    const { error, code, requestId, details } = envelope.data;
    const reason = details?.reason;
    return new OpenTrainApiError({
      ...common,
      code,
      message: error ?? code,
      ...(requestId === undefined ? {} : { requestId }),
      ...(details === undefined ? {} : { details }),
      ...(typeof reason === 'string' ? { reason } : {}),
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function queryString(query: ApiCall<z.ZodType>['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const encoded = params.toString();
  return encoded ? `?${encoded}` : '';
}
