import {
  NativeConnection,
  Worker,
  type WorkerDeploymentOptions,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { createActivities, type ActivityDeps } from '../activities';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../config/variables';
import { TASK_QUEUE } from '../domain/ids';
import { activityMetricsInterceptor } from '../observability/activity-metrics';
import type { EngagementMetrics } from '../observability/metrics';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOW_PRELOAD_MODULES } from './workflow-bundling';

/** `temporal` (the feed's deliveries) is the worker's own client, built on its connection. */
export interface EngagementWorkerOptions extends Omit<ActivityDeps, 'temporal'> {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  /** A prebuilt bundle (production); otherwise `workflowsPath` (default: workflows/index.ts) is bundled at start. */
  workflowBundle?: WorkflowBundleOption;
  workflowsPath?: string;
  /** From codec/data-converter.ts: the same one every client of these workflows uses. */
  dataConverter?: DataConverter;
  /** Counted at activity boundaries and feed polls when given. */
  metrics?: EngagementMetrics;
  /** Worker Versioning (worker/versioning.ts); unversioned when absent. */
  deployment?: WorkerDeploymentOptions;
  /**
   * The sticky cache's size (WORKER_MAX_CACHED_WORKFLOWS). The SDK's default follows the heap (2,310 on a 4 GiB
   * heap), which at ~2.2 MiB per cached engagement is ~5 GiB; ours keeps a worker near 1 GiB.
   */
  maxCachedWorkflows?: number;
}

/** The engagement worker: our workflows and activities on the `engagements` task queue. */
export function createEngagementWorker(options: EngagementWorkerOptions): Promise<Worker> {
  const {
    connection,
    namespace = 'default',
    taskQueue = TASK_QUEUE,
    workflowBundle,
    workflowsPath,
    dataConverter,
    metrics,
    deployment,
    maxCachedWorkflows = DEFAULT_MAX_CACHED_WORKFLOWS,
    ...deps
  } = options;
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    ...(workflowBundle
      ? { workflowBundle }
      : {
          workflowsPath: workflowsPath ?? require.resolve('../workflows'),
          bundlerOptions: { preloadModules: WORKFLOW_PRELOAD_MODULES },
        }),
    interceptors: {
      // A prebuilt bundle carries them already (scripts/build-workflow-bundle.ts), and the SDK warns if given twice.
      ...(workflowBundle ? {} : { workflowModules: WORKFLOW_INTERCEPTOR_MODULES }),
      ...(metrics ? { activity: [activityMetricsInterceptor(metrics)] } : {}),
    },
    activities: createActivities({
      ...deps,
      temporal: new Client({ connection, namespace, ...(dataConverter ? { dataConverter } : {}) }),
      onFeedPoll: (poll) => {
        deps.onFeedPoll?.(poll);
        if (!metrics) return;
        metrics.feedLastPollSeconds.set(Date.now() / 1000);
        const newest = poll.newestEventAt ? Date.parse(poll.newestEventAt) : NaN;
        metrics.feedCursorLagSeconds.set(
          poll.hasMore && Number.isFinite(newest) ? (Date.now() - newest) / 1000 : 0,
        );
      },
    }),
    ...(dataConverter ? { dataConverter } : {}),
    // A worker that died leaves its cached workflows' next tasks on its sticky queue until this passes; the SDK's
    // 10 s made every crash a 10 s stall for each engagement it held. A live worker takes its tasks in
    // milliseconds, so 3 s only costs a replay elsewhere when a worker is badly overloaded.
    stickyQueueScheduleToStartTimeout: '3s',
    ...(deployment ? { workerDeploymentOptions: deployment } : {}),
    maxCachedWorkflows,
  });
}
