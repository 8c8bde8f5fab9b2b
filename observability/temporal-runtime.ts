import { createServer } from 'node:net';
import { Runtime, makeTelemetryFilterString, type LogLevel } from '@temporalio/worker';
import type { Logger as PinoLogger } from 'pino';
import { TemporalPinoLogger } from './logger';

const CORE_LEVEL: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
  silent: 'ERROR',
};

/** A free 127.0.0.1 port, found by binding port 0 once (the SDK's exporter cannot report the port it bound). */
async function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface InstalledTemporalRuntime {
  /** Where the SDK's own Prometheus exporter answers (internal; the metrics server re-serves it). */
  sdkMetricsUrl?: string;
}

/**
 * Installs the process's Temporal Runtime once, before any worker or native connection exists: the SDK's logs
 * (worker, activity and workflow loggers, and core's via `forward`) go to our pino logger, and with `sdkMetrics`
 * core's Prometheus exporter listens on an internal ephemeral 127.0.0.1 port. Operators scrape one address,
 * METRICS_PORT, where our metrics server serves prom-client's registry followed by that exporter's text: one
 * target per worker, the SDK's series and ours side by side, and core's exporter never exposed by itself.
 */
export async function installTemporalRuntime(options: {
  logger: PinoLogger;
  sdkMetrics: boolean;
}): Promise<InstalledTemporalRuntime> {
  const level = CORE_LEVEL[options.logger.level] ?? 'INFO';
  const port = options.sdkMetrics ? await freeLocalPort() : undefined;
  Runtime.install({
    logger: new TemporalPinoLogger(options.logger),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: level, other: 'WARN' }), forward: {} },
      ...(port === undefined ? {} : { metrics: { prometheus: { bindAddress: `127.0.0.1:${port}` } } }),
    },
  });
  return port === undefined ? {} : { sdkMetricsUrl: `http://127.0.0.1:${port}/metrics` };
}
