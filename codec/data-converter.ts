import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config';
import { AesGcmCodec } from './aes-gcm-codec';

/** The module the worker and the workflow bundle load the failure converter from (compiled or ts-node). */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/** The payload codec of this configuration, or undefined when PAYLOAD_ENCRYPTION_KEYS is unset (plaintext). */
export function payloadCodecFromConfig(
  config: Pick<Config, 'PAYLOAD_ENCRYPTION_KEYS' | 'PAYLOAD_ENCRYPTION_KEY_ID'>,
): AesGcmCodec | undefined {
  const keys = config.PAYLOAD_ENCRYPTION_KEYS;
  if (!keys) return undefined;
  // The configuration has checked that the id names a key, or that there is exactly one key.
  return new AesGcmCodec(keys, config.PAYLOAD_ENCRYPTION_KEY_ID ?? [...keys.keys()][0]!);
}

/**
 * The one data converter of every process that talks to Temporal — worker, TypeScript client, CLI, HTTP API and
 * `npm start` — so what one writes the others read. With encryption off it is the SDK's default.
 */
export function dataConverterFromConfig(
  config: Pick<Config, 'PAYLOAD_ENCRYPTION_KEYS' | 'PAYLOAD_ENCRYPTION_KEY_ID'>,
): DataConverter {
  const codec = payloadCodecFromConfig(config);
  return codec ? { payloadCodecs: [codec], failureConverterPath: FAILURE_CONVERTER_PATH } : {};
}
