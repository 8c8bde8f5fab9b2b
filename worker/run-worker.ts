import path from 'node:path';
import { NativeConnection, type Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { DestinationStream, Logger as PinoLogger } from 'pino';
import { notifierFromConfig } from '../activities';
import { dataConverterFromConfig } from '../codec/data-converter';
import type { Config } from '../config';
import { createLogger } from '../observability/logger';
import { createEngagementMetrics, type EngagementMetrics } from '../observability/metrics';
import { startMetricsServer, type MetricsServer } from '../observability/metrics-server';
import { installTemporalRuntime } from '../observability/temporal-runtime';
import { OpenTrainClient, clientOptionsFromConfig } from '../opentrain';
import { createEngagementWorker } from './create-worker';
import { deploymentOptionsFromConfig } from './versioning';

export interface WorkerProcess {
  worker: Worker;
  /** The scrape address, when METRICS_PORT is set. */
  metricsUrl?: string;
  /** Resolves once the worker has drained (after SIGINT/SIGTERM or `shutdown()`) and everything is closed. */
  run(): Promise<void>;
}

export interface WorkerObservability {
  logger: PinoLogger;
  metrics?: EngagementMetrics;
  metricsServer?: MetricsServer;
}

/**
 * The process-wide part, first of all: the pino logger, the Temporal Runtime routed into it (installed once per
 * process, before anything touches Temporal) and, with METRICS_PORT, the metrics server on that port.
 */
export async function startWorkerObservability(
  config: Pick<Config, 'LOG_LEVEL' | 'METRICS_PORT' | 'METRICS_HOST'>,
  logDestination?: DestinationStream,
): Promise<WorkerObservability> {
  const logger = createLogger({ level: config.LOG_LEVEL, service: 'worker', destination: logDestination });
  const metrics = config.METRICS_PORT === undefined ? undefined : createEngagementMetrics();
  const { sdkMetricsUrl } = await installTemporalRuntime({ logger, sdkMetrics: metrics !== undefined });
  const metricsServer =
    metrics && config.METRICS_PORT !== undefined
      ? await startMetricsServer({
          host: config.METRICS_HOST,
          port: config.METRICS_PORT,
          registry: metrics.registry,
          sdkMetricsUrl,
          logger,
        })
      : undefined;
  return { logger, metrics, metricsServer };
}

/**
 * One worker process from its configuration: observability (unless already started), the OpenTrain client
 * counting its requests, the data converter (encryption) and the worker.
 */
export async function startWorkerProcess(
  config: Config,
  options: { observability?: WorkerObservability; workflowBundle?: WorkflowBundleOption } = {},
): Promise<WorkerProcess> {
  const { logger, metrics, metricsServer } =
    options.observability ?? (await startWorkerObservability(config));
  const openTrain = new OpenTrainClient({
    ...clientOptionsFromConfig(config),
    onResponse:
      metrics &&
      ((event) => metrics.openTrainRequests.inc({ endpoint: event.endpoint, status: event.status })),
  });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const workflowBundle =
    options.workflowBundle ??
    (config.NODE_ENV === 'production'
      ? { codePath: path.resolve(__dirname, '../workflow-bundle.js') }
      : undefined);
  const worker = await createEngagementWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    openTrain,
    notifier: notifierFromConfig(config),
    dataConverter: dataConverterFromConfig(config),
    metrics,
    deployment: deploymentOptionsFromConfig(config),
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    ...(workflowBundle ? { workflowBundle } : {}),
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
