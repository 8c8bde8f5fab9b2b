import path from 'node:path';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { DestinationStream } from 'pino';
import { notifierFromConfig } from '../activities';
import { dataConverterFromConfig } from '../codec/data-converter';
import type { Config } from '../config';
import { createLogger } from '../observability/logger';
import { createEngagementMetrics } from '../observability/metrics';
import { startMetricsServer, type MetricsServer } from '../observability/metrics-server';
import { installTemporalRuntime } from '../observability/temporal-runtime';
import { OpenTrainClient, clientOptionsFromConfig } from '../opentrain';
import { createEngagementWorker } from './create-worker';

export interface WorkerProcess {
  worker: Worker;
  /** The scrape address, when METRICS_PORT is set. */
  metricsUrl?: string;
  /** Resolves once the worker has drained (after SIGINT/SIGTERM or `shutdown()`) and everything is closed. */
  run(): Promise<void>;
}

/**
 * One worker process from its configuration: the pino logger (the Temporal Runtime's too), the metrics server on
 * METRICS_PORT, the OpenTrain client counting its requests, the data converter (encryption) and the worker.
 * Installs the process's Temporal Runtime, so it runs once per process, before anything else touches Temporal.
 */
export async function startWorkerProcess(
  config: Config,
  options: { logDestination?: DestinationStream; workflowBundlePath?: string } = {},
): Promise<WorkerProcess> {
  const logger = createLogger({
    level: config.LOG_LEVEL,
    service: 'worker',
    destination: options.logDestination,
  });
  const metrics = config.METRICS_PORT === undefined ? undefined : createEngagementMetrics();
  const { sdkMetricsUrl } = await installTemporalRuntime({ logger, sdkMetrics: metrics !== undefined });
  let metricsServer: MetricsServer | undefined;
  if (metrics && config.METRICS_PORT !== undefined) {
    metricsServer = await startMetricsServer({
      host: config.METRICS_HOST,
      port: config.METRICS_PORT,
      registry: metrics.registry,
      sdkMetricsUrl,
      logger,
    });
  }
  const openTrain = new OpenTrainClient({
    ...clientOptionsFromConfig(config),
    onResponse:
      metrics &&
      ((event) => metrics.openTrainRequests.inc({ endpoint: event.endpoint, status: event.status })),
  });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const bundlePath =
    options.workflowBundlePath ??
    (config.NODE_ENV === 'production' ? path.resolve(__dirname, '../workflow-bundle.js') : undefined);
  const worker = await createEngagementWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    openTrain,
    notifier: notifierFromConfig(config),
    dataConverter: dataConverterFromConfig(config),
    metrics,
    ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : {}),
  });
  logger.info(
    {
      taskQueue: worker.options.taskQueue,
      address: config.TEMPORAL_ADDRESS,
      namespace: config.TEMPORAL_NAMESPACE,
      metrics: metricsServer?.url,
      encryption: config.PAYLOAD_ENCRYPTION_KEYS
        ? `on (current key ${config.PAYLOAD_ENCRYPTION_KEY_ID ?? 'the only one'})`
        : 'off',
    },
    'engagement worker polling',
  );
  return {
    worker,
    metricsUrl: metricsServer?.url,
    run: async () => {
      try {
        await worker.run();
      } finally {
        await connection.close();
        await openTrain.close();
        await metricsServer?.close();
      }
    },
  };
}
