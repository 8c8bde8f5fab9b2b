import type { FastifyInstance } from 'fastify';
import { request } from 'undici';

/**
 * Real HTTP against a fastify instance listening on 127.0.0.1:0. (`app.inject()` cannot load under Jest on Node 20:
 * light-my-request requires the ESM-only `cookie` package.)
 */
export interface CallResult {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test assertions read arbitrary bodies
}

export async function listenLocal(app: FastifyInstance): Promise<string> {
  return app.listen({ host: '127.0.0.1', port: 0 });
}

export async function call(
  baseUrl: string,
  options: { method?: string; url: string; headers?: Record<string, string>; payload?: unknown },
): Promise<CallResult> {
  const body =
    options.payload === undefined
      ? undefined
      : typeof options.payload === 'string'
        ? options.payload
        : JSON.stringify(options.payload);
  const headers = {
    ...(body !== undefined && typeof options.payload !== 'string'
      ? { 'content-type': 'application/json' }
      : {}),
    ...options.headers,
  };
  const res = await request(`${baseUrl}${options.url}`, {
    method: (options.method ?? 'GET') as 'GET',
    headers,
    body,
  });
  const text = await res.body.text();
  return { statusCode: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) };
}
