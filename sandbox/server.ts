import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { registerAccountPages } from './account-pages';
import { registerApprovalPages } from './approval-page';
import { SandboxClock } from './clock';
import type { SandboxContext } from './context';
import { registerControlRoutes } from './control-routes';
import { ApiError, envelope } from './errors';
import { EventLog } from './events';
import { WEBHOOK_RETRY_DELAYS_MS } from './gaps';
import { CreditsLedger } from './ledger';
import { registerAccountRoutes } from './routes/account';
import { registerApprovalRoutes } from './routes/approvals';
import { registerContractRoutes } from './routes/contracts';
import { registerMessageRoutes } from './routes/messages';
import { registerMilestoneRoutes } from './routes/milestones';
import { registerPaymentRoutes } from './routes/payments';
import { registerProposalRoutes } from './routes/proposals';
import { registerUpdatesRoutes } from './routes/updates';
import { registerWebhookRoutes } from './routes/webhooks';
import { SandboxStore } from './state';
import { PublicApiTraffic } from './traffic';
import { WebhookDeliverer } from './webhook-delivery';

export const API_PREFIX = '/api/public/v1';
const DEFAULT_APPROVAL_TTL_MS = 72 * 60 * 60 * 1000;

export interface SandboxOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a random free port). */
  port?: number;
  /** Default 72 h. */
  approvalTtlMs?: number;
  /** Persist to this JSON file: loaded at start, rewritten after each change. */
  stateFile?: string;
  /** Delays between webhook attempts; default the documented 1 min, 5 min, 30 min, 120 min. */
  webhookRetryDelaysMs?: number[];
  logger?: boolean;
}

export interface RunningSandbox {
  /** The origin, e.g. http://127.0.0.1:4010; approval pages live at `${url}/approvals/<id>`. */
  url: string;
  /** `${url}/api/public/v1` */
  apiBaseUrl: string;
  close(): Promise<void>;
}

/** A local OpenTrain: the Public API, the human's approval pages and the /__sandbox control API on one port. */
export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const host = options.host ?? '127.0.0.1';
  const store = SandboxStore.open(options.stateFile);
  const clock = new SandboxClock(store.state);
  const events = new EventLog(store, clock);
  let origin = '';
  const ctx: SandboxContext = {
    store,
    clock,
    events,
    ledger: new CreditsLedger(store, clock),
    approvalTtlMs: options.approvalTtlMs ?? DEFAULT_APPROVAL_TTL_MS,
    origin: () => origin,
  };
  const deliverer = new WebhookDeliverer({
    store,
    clock,
    retryDelaysMs: options.webhookRetryDelaysMs ?? WEBHOOK_RETRY_DELAYS_MS,
    onStateChange: () => store.flush(),
  });
  events.onAppend((event) => deliverer.enqueue(event));
  const traffic = new PublicApiTraffic(clock);

  // Closing (Ctrl-C, a test's afterAll) must not wait for clients that keep connections alive or abandoned a request.
  const app = Fastify({
    logger: options.logger ?? false,
    genReqId: () => randomUUID(),
    forceCloseConnections: true,
  });
  installJsonHandling(app);
  // Persist whatever the request changed before the answer leaves (failAfterCommit answers included).
  app.addHook('onSend', async (_request, _reply, payload) => {
    store.flush();
    return payload;
  });
  await app.register(
    async (api) => {
      traffic.install(api);
      // Unknown API paths are public-API requests too: recorded and faultable like the others.
      api.setNotFoundHandler(notFoundHandler);
      registerAccountRoutes(api, ctx);
      registerProposalRoutes(api, ctx);
      registerApprovalRoutes(api, ctx);
      registerContractRoutes(api, ctx);
      registerMilestoneRoutes(api, ctx);
      registerPaymentRoutes(api, ctx);
      registerMessageRoutes(api, ctx);
      registerUpdatesRoutes(api, ctx);
      registerWebhookRoutes(api, ctx);
    },
    { prefix: API_PREFIX },
  );
  await app.register(async (control) => registerControlRoutes(control, ctx, traffic, deliverer), {
    prefix: '/__sandbox',
  });
  await app.register(async (pages) => {
    registerApprovalPages(pages, ctx);
    registerAccountPages(pages);
  });

  await app.listen({ host, port: options.port ?? 0 });
  const { port } = app.server.address() as AddressInfo;
  // A wildcard bind (containers) is still reached through the loopback address from this machine.
  const linkHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  origin = `http://${linkHost}:${port}`;

  return {
    url: origin,
    apiBaseUrl: `${origin}${API_PREFIX}`,
    close: async () => {
      await deliverer.close();
      await app.close();
      store.flush();
    },
  };
}

/** JSON bodies (an empty body reads as none) and OpenTrain's error envelope for every failure. */
function installJsonHandling(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new ApiError(400, 'Request body is not valid JSON.', { field: 'body' }), undefined);
    }
  });

  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof ApiError) {
      // OpenTrain documents no rate-limit headers; the sandbox sends Retry-After as its fault injector does.
      if (error.status === 429) reply.header('retry-after', String(error.details?.retryAfterSec ?? 1));
      return reply.code(error.status).send(envelope(error.status, error.message, request.id, error.details));
    }
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error(error);
    const message = status === 500 ? 'Internal error.' : error.message;
    return reply.code(status).send(envelope(status, message, request.id));
  });

  app.setNotFoundHandler(notFoundHandler);
}

function notFoundHandler(request: FastifyRequest, reply: FastifyReply) {
  return reply
    .code(404)
    .send(envelope(404, `No route ${request.method} ${request.url}.`, request.id, { resource: 'routes' }));
}
