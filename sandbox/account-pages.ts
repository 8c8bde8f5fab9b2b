import type { FastifyInstance } from 'fastify';
import { BILLING_PATH, CLAIM_PATH } from './gaps';

/**
 * Where `claimUrl` and `billingUrl` point. In the real app a human claims the account or adds a card there; in
 * the sandbox the same fix is one control call, which these pages spell out.
 */
const page = (title: string, fix: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title} — OpenTrain sandbox</title></head>
<body style="font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto">
<h1>${title}</h1><p>In the sandbox, change the account with the control API:</p>
<pre>curl -X PATCH -H 'content-type: application/json' -d '${fix}' \\
  http://&lt;sandbox&gt;/__sandbox/accounts/&lt;token&gt;</pre></body></html>`;

export function registerAccountPages(app: FastifyInstance): void {
  app.get(CLAIM_PATH, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(page('Claim this agent account', '{"claimed": true}')),
  );
  app.get(BILLING_PATH, async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .send(page('Add a payment method', '{"cardOnFile": true}  (or {"creditsCents": 100000})')),
  );
}
