/**
 * The client's two error types. `OpenTrainApiError` is what the API (or the network) said; activities map it
 * to Temporal failures, so `retryable` must be exact. `OpenTrainResponseError` is a 2xx body that broke the
 * documented contract: retrying will not fix it, a human has to look.
 */

export interface OpenTrainApiErrorInit {
  status: number;
  code: string;
  message: string;
  method: string;
  path: string;
  reason?: string;
  details?: Record<string, unknown>;
  requestId?: string;
  retryable: boolean;
  retryAfterMs?: number;
  cause?: unknown;
}

export class OpenTrainApiError extends Error {
  override readonly name = 'OpenTrainApiError';
  /** HTTP status; 0 when no response arrived (network error, timeout, abort). */
  readonly status: number;
  /** The envelope's `code` (BAD_REQUEST, CONFLICT…), or NETWORK_ERROR / TIMEOUT / ABORTED / HTTP_<status>. */
  readonly code: string;
  /** `details.reason` of the envelope (payment_method_required, contract_ended…). */
  readonly reason?: string;
  readonly details?: Record<string, unknown>;
  readonly requestId?: string;
  /** True for network errors, timeouts, 5xx and 429: the same request may succeed later. */
  readonly retryable: boolean;
  /** From a `Retry-After` header (seconds or HTTP date), when the server sent one. */
  readonly retryAfterMs?: number;
  readonly method: string;
  readonly path: string;

  constructor(init: OpenTrainApiErrorInit) {
    super(describe(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.method = init.method;
    this.path = init.path;
    this.retryable = init.retryable;
    if (init.reason !== undefined) this.reason = init.reason;
    if (init.details !== undefined) this.details = init.details;
    if (init.requestId !== undefined) this.requestId = init.requestId;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }

  /** Plain data for logs and Temporal failure details (no stack, no cause). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      status: this.status,
      code: this.code,
      reason: this.reason,
      details: this.details,
      requestId: this.requestId,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      method: this.method,
      path: this.path,
    };
  }
}

function describe(init: OpenTrainApiErrorInit): string {
  const status = init.status === 0 ? init.code : `${init.status} ${init.code}`;
  const reason = init.reason ? ` (${init.reason})` : '';
  const requestId = init.requestId ? ` [requestId ${init.requestId}]` : '';
  return `OpenTrain ${init.method} ${init.path} failed: ${status}${reason}: ${init.message}${requestId}`;
}

/** A 2xx response whose body breaks a documented field (missing, wrong type, unparseable). */
export class OpenTrainResponseError extends Error {
  override readonly name = 'OpenTrainResponseError';
  constructor(
    /** `METHOD /path` of the call, e.g. `GET /contracts/c_1`. */
    readonly endpoint: string,
    /** Dotted path of the offending field (`contract.milestones.0.status`), or `(body)` for a non-JSON body. */
    readonly field: string,
    problem: string,
  ) {
    super(`OpenTrain ${endpoint} returned an unexpected body: ${field}: ${problem}`);
  }
}

/** Missing or invalid client configuration (no token, bad base URL). */
export class OpenTrainConfigError extends Error {
  override readonly name = 'OpenTrainConfigError';
}
