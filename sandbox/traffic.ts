import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SandboxClock } from './clock';
import { envelope } from './errors';
import { DEFAULT_RETRY_AFTER_SEC } from './gaps';

const rate = z.number().min(0).max(1);
export const faultsSchema = z.strictObject({
  errorRate: rate.optional(),
  latencyMs: z.number().int().min(0).max(60_000).optional(),
  rateLimitRate: rate.optional(),
  retryAfterSec: z.number().int().min(0).optional(),
  failAfterCommitRate: rate.optional(),
});
export type Faults = z.infer<typeof faultsSchema>;

export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
  at: string;
}

/**
 * What the public API receives (recorded in order, for tests counting calls) and the faults injected into it.
 * The hooks are installed on the public-API plugin only, so control routes and approval pages are never faulted.
 */
export class PublicApiTraffic {
  faults: Faults = {};
  readonly requests: RecordedRequest[] = [];

  constructor(private readonly clock: SandboxClock) {}

  install(api: FastifyInstance): void {
    api.addHook('onRequest', async (request, reply) => {
      const { errorRate, latencyMs, rateLimitRate, retryAfterSec } = this.faults;
      if (latencyMs) await sleep(latencyMs);
      if (errorRate && Math.random() < errorRate) {
        return reply.code(500).send(envelope(500, 'Injected fault: internal error.', request.id));
      }
      if (rateLimitRate && Math.random() < rateLimitRate) {
        return reply
          .code(429)
          .header('retry-after', String(retryAfterSec ?? DEFAULT_RETRY_AFTER_SEC))
          .send(envelope(429, 'Injected fault: rate limited.', request.id));
      }
      return undefined;
    });

    api.addHook('onSend', async (request, reply, payload) => {
      let sent = payload;
      const { failAfterCommitRate } = this.faults;
      const committedWrite = request.method !== 'GET' && reply.statusCode < 400;
      if (committedWrite && failAfterCommitRate && Math.random() < failAfterCommitRate) {
        // The write already happened; only the answer is lost — the hardest case for idempotency.
        reply.code(500).header('content-type', 'application/json; charset=utf-8');
        sent = JSON.stringify(envelope(500, 'Injected fault: failed after commit.', request.id));
      }
      this.requests.push({
        method: request.method,
        path: request.url,
        status: reply.statusCode,
        at: this.clock.nowIso(),
      });
      return sent;
    });
  }
}
