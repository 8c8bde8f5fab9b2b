import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { TASK_QUEUE } from '../domain/ids';

export interface EngagementWorkerOptions extends ActivityDeps {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  /** A prebuilt bundle (production); otherwise `workflowsPath` (default: workflows/index.ts) is bundled at start. */
  workflowBundle?: WorkflowBundleOption;
  workflowsPath?: string;
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
    activities: createActivities(deps),
    ...(maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows }),
  });
}
