import { defaultPayloadConverter } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../client/http/api';
import { AesGcmCodec } from '../../codec/aes-gcm-codec';
import { fakeEngagements } from './fake-engagements';
import { call, listenLocal } from './http-call';

const API_TOKEN = 'codec-test-token-0123456789';
const UI_ORIGIN = 'http://127.0.0.1:8233';
let app: FastifyInstance;
let baseUrl: string;

beforeAll(async () => {
  app = await buildApi({
    engagements: fakeEngagements(),
    apiToken: API_TOKEN,
    codec: { codec: new AesGcmCodec(new Map([['k1', Buffer.alloc(32, 5)]]), 'k1'), corsOrigins: [UI_ORIGIN] },
  });
  baseUrl = await listenLocal(app);
});
afterAll(() => app.close());

const toJson = (p: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  call(baseUrl, {
    method: 'POST',
    url: path,
    payload: body,
    headers,
  });

describe('the remote codec endpoint (/codec/encode, /codec/decode)', () => {
  const plain = toJson(defaultPayloadConverter.toPayload({ milestone: 'Label 100 images' }));
  const bearer = { authorization: `Bearer ${API_TOKEN}` };

  it("round-trips Temporal's JSON payloads shape through encode and decode", async () => {
    const encoded = await post(
      '/codec/encode',
      { payloads: [plain] },
      { ...bearer, 'x-namespace': 'default' },
    );
    expect(encoded.statusCode).toBe(200);
    const body = encoded.json() as { payloads: { metadata: Record<string, string>; data: string }[] };
    const [ciphertext] = body.payloads;
    expect(Buffer.from(ciphertext!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(ciphertext!.data, 'base64').toString('latin1')).not.toContain('Label 100');
    const decoded = await post('/codec/decode', { payloads: [ciphertext] }, bearer);
    expect(decoded.statusCode).toBe(200);
    expect(decoded.json()).toEqual({ payloads: [plain] });
  });

  it('refuses a missing or wrong bearer token', async () => {
    expect((await post('/codec/decode', { payloads: [plain] })).statusCode).toBe(401);
    expect(
      (await post('/codec/decode', { payloads: [plain] }, { authorization: 'Bearer wrong-token-xxxxxxxx' }))
        .statusCode,
    ).toBe(401);
    expect(
      (await post('/codec/encode', { payloads: [plain] }, { authorization: API_TOKEN })).statusCode,
    ).toBe(401);
  });

  it("answers the Temporal UI's CORS preflight for its origin (credentials, its headers), and no other origin", async () => {
    const preflight = await call(baseUrl, {
      method: 'OPTIONS',
      url: '/codec/decode',
      headers: {
        origin: UI_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-namespace',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
    expect(preflight.headers['access-control-allow-credentials']).toBe('true');
    expect(String(preflight.headers['access-control-allow-headers'])).toMatch(
      /authorization.*content-type.*x-namespace/,
    );

    const decode = await post('/codec/decode', { payloads: [plain] }, { ...bearer, origin: UI_ORIGIN });
    expect(decode.headers['access-control-allow-origin']).toBe(UI_ORIGIN);

    const stranger = await call(baseUrl, {
      method: 'OPTIONS',
      url: '/codec/decode',
      headers: { origin: 'https://evil.example' },
    });
    expect(stranger.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('names a malformed payload instead of failing inside the codec', async () => {
    const res = await post('/codec/decode', { payloads: [{ data: '***' }] }, bearer);
    expect(res.statusCode).toBe(400);
    expect(res.text).toMatch(/payloads\.0\.data/);
  });
});
