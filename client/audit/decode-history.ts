import type { Client } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { RunHistory } from './from-history';

/**
 * A fetched history's payloads as the worker wrote them, decoded through the client's own codecs (the AES-GCM
 * encryption when it is on), so the audit reads encrypted engagements like plain ones. Every `payloads` list in
 * the event tree is decoded in place; without codecs the history is left as it is.
 */
export async function decodeHistory(client: Client, history: RunHistory): Promise<RunHistory> {
  const codecs = [...client.options.loadedDataConverter.payloadCodecs].reverse();
  if (codecs.length) await decodeInPlace(history, codecs);
  return history;
}

/** In place, so the proto objects around the payloads (Long ids, timestamps) keep their types. */
async function decodeInPlace(node: unknown, codecs: PayloadCodec[]): Promise<void> {
  if (!node || typeof node !== 'object' || node instanceof Uint8Array) return;
  if (Array.isArray(node)) {
    await Promise.all(node.map((item) => decodeInPlace(item, codecs)));
    return;
  }
  const record = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    if (key === 'payloads' && Array.isArray(value))
      record[key] = await decodePayloads(value as Payload[], codecs);
    else await decodeInPlace(value, codecs);
  }
}

async function decodePayloads(payloads: Payload[], codecs: PayloadCodec[]): Promise<Payload[]> {
  let decoded = payloads;
  for (const codec of codecs) decoded = await codec.decode(decoded);
  return decoded;
}
