import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger as PinoLogger } from 'pino';
import type { Registry } from 'prom-client';
import { request } from 'undici';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The one scrape address of a process: GET /metrics answers our registry and, when given, the text of the SDK's
 * internal exporter (both Prometheus text format; their names cannot clash: `engagements_*` vs `temporal_*`). If the
 * SDK's exporter does not answer, ours are still served and the miss is logged.
 */
export async function startMetricsServer(options: {
  host: string;
  port: number;
  registry: Registry;
  sdkMetricsUrl?: string;
  logger: PinoLogger;
}): Promise<MetricsServer> {
  const { registry, sdkMetricsUrl, logger } = options;
  const sdkText = async (): Promise<string> => {
    if (!sdkMetricsUrl) return '';
    try {
      const res = await request(sdkMetricsUrl, { headersTimeout: 5_000, bodyTimeout: 5_000 });
      const text = await res.body.text();
      return res.statusCode === 200 ? text : '';
    } catch (err) {
      logger.warn({ err }, 'the Temporal SDK metrics exporter did not answer; serving ours only');
      return '';
    }
  };
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    Promise.all([registry.metrics(), sdkText()]).then(
      ([ours, sdk]) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(`${ours}\n${sdk}`);
      },
      (err: unknown) => {
        logger.error({ err }, 'metrics scrape failed');
        res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
