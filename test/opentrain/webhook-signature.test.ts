import { createHmac } from 'node:crypto';
import { verifyWebhookSignature } from '../../opentrain';

const secret = 'whsec_test_4f1c2b9a';
const rawBody = '{"id":"1043","type":"approval.confirmed","data":{"approvalId":"ap_1","status":"confirmed"}}';
const nowMs = Date.UTC(2026, 5, 12, 10, 0, 0);
const nowSec = nowMs / 1000;

/** Signs exactly as OpenTrain's documented Node sample does (docs/opentrain-api.md#webhook-signatures). */
function sign(body: string | Buffer, t: number, key = secret): string {
  const v1 = createHmac('sha256', key).update(`${t}.`).update(body).digest('hex');
  return `t=${t},v1=${v1}`;
}

describe('verifyWebhookSignature', () => {
  it('accepts a delivery signed with the secret over "<t>.<rawBody>" and returns its timestamp', () => {
    expect(verifyWebhookSignature({ rawBody, header: sign(rawBody, nowSec), secret, now: nowMs })).toEqual({
      ok: true,
      timestamp: nowSec,
    });
  });

  it('verifies a Buffer body byte for byte, including non-ASCII content', () => {
    const body = Buffer.from('{"note":"señal ✓"}', 'utf8');
    expect(verifyWebhookSignature({ rawBody: body, header: sign(body, nowSec), secret, now: nowMs }).ok).toBe(
      true,
    );
  });

  it('rejects a signature made with another secret as a mismatch', () => {
    const header = sign(rawBody, nowSec, 'whsec_other');
    expect(verifyWebhookSignature({ rawBody, header, secret, now: nowMs })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('rejects a body changed after signing as a mismatch', () => {
    const header = sign(rawBody, nowSec);
    const tampered = rawBody.replace('confirmed"}', 'declined"}');
    expect(verifyWebhookSignature({ rawBody: tampered, header, secret, now: nowMs })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('uses the full whsec_ string as the key (the prefix is not stripped)', () => {
    const header = sign(rawBody, nowSec, secret.slice('whsec_'.length));
    expect(verifyWebhookSignature({ rawBody, header, secret, now: nowMs }).ok).toBe(false);
  });

  it('rejects a correctly signed delivery older than the 300 s tolerance as stale', () => {
    expect(
      verifyWebhookSignature({ rawBody, header: sign(rawBody, nowSec - 301), secret, now: nowMs }),
    ).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(
      verifyWebhookSignature({ rawBody, header: sign(rawBody, nowSec - 300), secret, now: nowMs }).ok,
    ).toBe(true);
  });

  it('rejects a timestamp more than the tolerance in the future', () => {
    expect(
      verifyWebhookSignature({ rawBody, header: sign(rawBody, nowSec + 301), secret, now: nowMs }),
    ).toEqual({
      ok: false,
      reason: 'future',
    });
  });

  it('honours a custom tolerance', () => {
    const header = sign(rawBody, nowSec - 30);
    expect(verifyWebhookSignature({ rawBody, header, secret, now: nowMs, toleranceSec: 10 })).toEqual({
      ok: false,
      reason: 'stale',
    });
  });

  it('defaults "now" to the current time', () => {
    const t = Math.floor(Date.now() / 1000);
    expect(verifyWebhookSignature({ rawBody, header: sign(rawBody, t), secret })).toEqual({
      ok: true,
      timestamp: t,
    });
  });

  it('accepts a header carrying several v1 signatures when one of them matches (secret rotation)', () => {
    const good = sign(rawBody, nowSec);
    const header = `${good},v1=${'0'.repeat(64)}`;
    expect(verifyWebhookSignature({ rawBody, header, secret, now: nowMs }).ok).toBe(true);
  });

  it('reports a missing or empty header as missing', () => {
    expect(verifyWebhookSignature({ rawBody, header: undefined, secret, now: nowMs })).toEqual({
      ok: false,
      reason: 'missing',
    });
    expect(verifyWebhookSignature({ rawBody, header: '  ', secret, now: nowMs })).toEqual({
      ok: false,
      reason: 'missing',
    });
  });

  it.each([
    ['no timestamp', `v1=${'a'.repeat(64)}`],
    ['no signature', `t=${nowSec}`],
    ['a non-numeric timestamp', `t=soon,v1=${'a'.repeat(64)}`],
    ['a signature that is not 64 hex digits', `t=${nowSec},v1=abc123`],
    ['two timestamps', `t=${nowSec},t=${nowSec},v1=${'a'.repeat(64)}`],
    ['a part without "="', `t=${nowSec},garbage,v1=${'a'.repeat(64)}`],
    ['a bare hex digest', 'a'.repeat(64)],
  ])('reports a header with %s as malformed', (_what, header) => {
    expect(verifyWebhookSignature({ rawBody, header, secret, now: nowMs })).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });
});
