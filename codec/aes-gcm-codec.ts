import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/**
 * AES-256-GCM over whole payloads (after temporalio/samples-typescript `encryption`): the original payload, metadata
 * included, is serialised and encrypted, so neither its data nor its encoding is readable in history. The key id
 * travels in the encrypted payload's metadata, so keys rotate: new payloads use the current key, and any key still
 * configured decrypts the payloads written under it.
 */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;

export class UnknownEncryptionKeyError extends Error {
  override readonly name = 'UnknownEncryptionKeyError';
}

export class AesGcmCodec implements PayloadCodec {
  readonly #keys: ReadonlyMap<string, Buffer>;
  readonly currentKeyId: string;

  constructor(keys: ReadonlyMap<string, Buffer>, currentKeyId: string) {
    if (!keys.has(currentKeyId)) {
      throw new UnknownEncryptionKeyError(`current key "${currentKeyId}" is not among the configured keys`);
    }
    for (const [id, key] of keys) {
      if (key.length !== 32) throw new RangeError(`key "${id}" must be 32 bytes (AES-256)`);
    }
    this.#keys = keys;
    this.currentKeyId = currentKeyId;
  }

  // async, so a bad payload rejects the promise rather than throwing at the call.
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.#encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.#decrypt(payload));
  }

  #encrypt(payload: Payload): Payload {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#keys.get(this.currentKeyId)!, iv);
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: Buffer.from(this.currentKeyId),
      },
      data,
    };
  }

  #decrypt(payload: Payload): Payload {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
    if (!encoding || Buffer.from(encoding).toString() !== ENCRYPTED_ENCODING) return payload;
    const keyIdBytes = payload.metadata?.[KEY_ID_METADATA];
    const keyId = keyIdBytes ? Buffer.from(keyIdBytes).toString() : '(none)';
    const key = this.#keys.get(keyId);
    if (!key) {
      throw new UnknownEncryptionKeyError(
        `payload encrypted with key "${keyId}", which is not configured: add it to PAYLOAD_ENCRYPTION_KEYS ` +
          `(configured: ${[...this.#keys.keys()].join(', ')})`,
      );
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAuthTag(data.subarray(data.length - 16));
    const plain = Buffer.concat([
      decipher.update(data.subarray(IV_BYTES, data.length - 16)),
      decipher.final(),
    ]);
    return temporal.api.common.v1.Payload.decode(plain) as Payload;
  }
}
