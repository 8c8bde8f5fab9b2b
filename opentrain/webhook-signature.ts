import { createHmac, timingSafeEqual } from 'node:crypto';
import { DEFAULT_WEBHOOK_TOLERANCE_SEC } from './gaps';

export interface VerifyWebhookSignatureArgs {
  /** The body bytes exactly as received; never re-serialised JSON. */
  rawBody: string | Buffer;
  /** The `X-OpenTrain-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
  header: string | undefined;
  /** The full `whsec_…` secret returned when the webhook was created. */
  secret: string;
  toleranceSec?: number;
  /** Unix milliseconds; default `Date.now()`. */
  now?: number;
}

export type WebhookSignatureResult =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'future' | 'mismatch' };

const SHA256_HEX = /^[0-9a-f]{64}$/i;

/**
 * HMAC-SHA256 keyed with the secret over `<t>.<rawBody>`, compared in constant time, with the timestamp within
 * `toleranceSec` of now (default 300 s, both directions): docs/opentrain-api.md#webhook-signatures.
 */
export function verifyWebhookSignature(args: VerifyWebhookSignatureArgs): WebhookSignatureResult {
  const { rawBody, header, secret, toleranceSec = DEFAULT_WEBHOOK_TOLERANCE_SEC, now = Date.now() } = args;
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing' };

  const parsed = parseSignatureHeader(header);
  if (!parsed) return { ok: false, reason: 'malformed' };
  const { timestamp, signatures } = parsed;

  const ageSec = now / 1000 - timestamp;
  if (ageSec > toleranceSec) return { ok: false, reason: 'stale' };
  if (-ageSec > toleranceSec) return { ok: false, reason: 'future' };

  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
  const matches = signatures.some((signature) => timingSafeEqual(Buffer.from(signature, 'hex'), expected));
  return matches ? { ok: true, timestamp } : { ok: false, reason: 'mismatch' };
}

/** `t=<digits>` once and at least one `v1=<64 hex>`; other schemes (v0=…) are ignored. */
function parseSignatureHeader(header: string): { timestamp: number; signatures: string[] } | undefined {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    if (separator < 0) return undefined;
    const key = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined || !/^\d{1,12}$/.test(value)) return undefined;
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!SHA256_HEX.test(value)) return undefined;
      signatures.push(value);
    }
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures };
}
