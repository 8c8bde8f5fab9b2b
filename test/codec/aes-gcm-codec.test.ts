import { defaultPayloadConverter } from '@temporalio/common';
import {
  AesGcmCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  UnknownEncryptionKeyError,
} from '../../codec/aes-gcm-codec';
import { dataConverterFromConfig, payloadCodecFromConfig } from '../../codec/data-converter';
import { loadConfig } from '../../config';

const k1 = Buffer.alloc(32, 11);
const k2 = Buffer.alloc(32, 22);
const plain = defaultPayloadConverter.toPayload({
  proposalId: 'p_secret_proposal',
  milestone: 'Label 100 images',
});

describe('AES-256-GCM payload codec', () => {
  it('encrypts the whole payload (data and encoding) under the current key id, and decrypts it back', async () => {
    const codec = new AesGcmCodec(new Map([['k1', k1]]), 'k1');
    const [encrypted] = await codec.encode([plain]);
    expect(Buffer.from(encrypted!.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(encrypted!.metadata![KEY_ID_METADATA]!).toString()).toBe('k1');
    const wire = Buffer.from(encrypted!.data!).toString('latin1');
    expect(wire).not.toContain('p_secret_proposal');
    expect(wire).not.toContain('json/plain');
    const [decoded] = await codec.decode([encrypted!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({
      proposalId: 'p_secret_proposal',
      milestone: 'Label 100 images',
    });
  });

  it('uses a fresh IV per payload, so equal values do not look equal', async () => {
    const codec = new AesGcmCodec(new Map([['k1', k1]]), 'k1');
    const [a, b] = await codec.encode([plain, plain]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('rotates: a codec whose current key is k2 still reads k1 payloads and writes k2', async () => {
    const [old] = await new AesGcmCodec(new Map([['k1', k1]]), 'k1').encode([plain]);
    const rotated = new AesGcmCodec(
      new Map([
        ['k1', k1],
        ['k2', k2],
      ]),
      'k2',
    );
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([old!]))[0]!)).toMatchObject({
      proposalId: 'p_secret_proposal',
    });
    const [fresh] = await rotated.encode([plain]);
    expect(Buffer.from(fresh!.metadata![KEY_ID_METADATA]!).toString()).toBe('k2');
  });

  it('names the missing key when a payload was written under a key no longer configured', async () => {
    const [old] = await new AesGcmCodec(new Map([['k1', k1]]), 'k1').encode([plain]);
    const without = new AesGcmCodec(new Map([['k2', k2]]), 'k2');
    await expect(without.decode([old!])).rejects.toThrow(UnknownEncryptionKeyError);
    await expect(without.decode([old!])).rejects.toThrow(/key "k1", which is not configured.*configured: k2/);
  });

  it('refuses a tampered ciphertext (GCM authentication)', async () => {
    const codec = new AesGcmCodec(new Map([['k1', k1]]), 'k1');
    const [encrypted] = await codec.encode([plain]);
    const data = Buffer.from(encrypted!.data!);
    data[20] = data[20]! ^ 1;
    await expect(codec.decode([{ ...encrypted!, data }])).rejects.toThrow();
  });

  it('passes payloads that are not encrypted through, so histories from before encryption stay readable', async () => {
    const codec = new AesGcmCodec(new Map([['k1', k1]]), 'k1');
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('is built from the configuration, and off (the default converter) without keys', () => {
    expect(dataConverterFromConfig(loadConfig({}))).toEqual({});
    expect(payloadCodecFromConfig(loadConfig({}))).toBeUndefined();
    const config = loadConfig({
      PAYLOAD_ENCRYPTION_KEYS: `k1:${k1.toString('base64')},k2:${k2.toString('base64')}`,
      PAYLOAD_ENCRYPTION_KEY_ID: 'k2',
    });
    expect(payloadCodecFromConfig(config)?.currentKeyId).toBe('k2');
    expect(dataConverterFromConfig(config)).toMatchObject({
      payloadCodecs: [expect.any(AesGcmCodec)],
      failureConverterPath: expect.stringMatching(/codec[/\\]failure-converter/),
    });
  });
});
