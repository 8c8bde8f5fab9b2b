import {
  NativeConnection,
  Worker,
  type WorkerDeploymentOptions,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { createActivities, type ActivityDeps } from '../activities';
import { STICKY_QUEUE_SCHEDULE_TO_START_MS } from '../config/sticky-queue';
import { TASK_QUEUE } from '../domain/ids';
import { activityMetricsInterceptor } from '../observability/activity-metrics';
import type { EngagementMetrics } from '../observability/metrics';

export interface EngagementWorkerOptions extends ActivityDeps {
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
  /** The sticky cache's size; the SDK's default follows the heap. The benchmarks force it small to cost replays. */
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
    maxCachedWorkflows,
    ...deps
  } = options;
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    ...(workflowBundle
      ? { workflowBundle }
      : { workflowsPath: workflowsPath ?? require.resolve('../workflows') }),
    activities: createActivities({
      ...deps,
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
    ...(metrics ? { interceptors: { activity: [activityMetricsInterceptor(metrics)] } } : {}),
    stickyQueueScheduleToStartTimeout: STICKY_QUEUE_SCHEDULE_TO_START_MS,
    ...(deployment ? { workerDeploymentOptions: deployment } : {}),
    ...(maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows }),
  });
}
