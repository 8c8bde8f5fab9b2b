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
}

/** The engagement worker: our workflows and activities on the `engagements` task queue. */
export function createEngagementWorker(options: EngagementWorkerOptions): Promise<Worker> {
  const {
    connection,
    namespace = 'default',
    taskQueue = TASK_QUEUE,
    workflowBundle,
    workflowsPath,
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
    // A worker that died leaves its cached workflows' next tasks on its sticky queue until this passes; the SDK's
    // 10 s made every crash a 10 s stall for each engagement it held. A live worker takes its tasks in
    // milliseconds, so 3 s only costs a replay elsewhere when a worker is badly overloaded.
    stickyQueueScheduleToStartTimeout: '3s',
  });
}
