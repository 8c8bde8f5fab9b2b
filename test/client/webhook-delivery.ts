import { createHmac } from 'node:crypto';
import { call } from './http-call';
import type { CallResult } from './http-call';

/** Signs a body as OpenTrain does (docs/opentrain-api.md#webhook-signatures), independently of the code under test. */
export function signWebhook(secret: string, body: string, atSec = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac('sha256', secret).update(`${atSec}.${body}`).digest('hex');
  return `t=${atSec},v1=${v1}`;
}

/** POSTs `body` to the receiver at `baseUrl` exactly as given, with the (signature, delivery …) headers. */
export function postWebhook(
  baseUrl: string,
  body: string,
  headers: Record<string, string>,
): Promise<CallResult> {
  return call(baseUrl, {
    method: 'POST',
    url: '/webhooks/opentrain',
    headers: { 'content-type': 'application/json', ...headers },
    payload: body,
  });
}
