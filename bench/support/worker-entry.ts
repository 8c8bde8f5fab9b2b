import { join, resolve } from 'node:path';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { OpenTrainClient } from '../../opentrain';
import { createEngagementWorker } from '../../worker/create-worker';
import { createBareActivities } from '../bare/activities';
import { BARE_TASK_QUEUE } from '../bare/messages';
import { READY_PREFIX } from './worker-process';

/**
 * A benchmark worker as its own process (so its RSS and CPU are its own): BENCH_WORKER_KIND=engagement runs the
 * product's worker (worker/create-worker.ts, the prebuilt lib/workflow-bundle.js as in production), =bare the
 * baseline. BENCH_MAX_CACHED_WORKFLOWS forces the sticky cache's size, which worker/main.ts does not expose.
 * Connection and OpenTrain settings come from the environment, as for `npm run worker`.
 */

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const kind = process.env.BENCH_WORKER_KIND;
  const cache = process.env.BENCH_MAX_CACHED_WORKFLOWS;
  const maxCachedWorkflows = cache ? Number(cache) : undefined;
  const address = process.env.TEMPORAL_ADDRESS || '127.0.0.1:7233';
  const openTrain = OpenTrainClient.fromEnv();
  const connection = await NativeConnection.connect({ address });
  const root = resolve(__dirname, '../..');
  let worker: Worker;
  if (kind === 'engagement') {
    worker = await createEngagementWorker({
      connection,
      openTrain,
      workflowBundle: { codePath: join(root, 'lib/workflow-bundle.js') },
      maxCachedWorkflows,
    });
  } else if (kind === 'bare') {
    worker = await Worker.create({
      connection,
      taskQueue: BARE_TASK_QUEUE,
      workflowsPath: require.resolve('../bare/workflows'),
      activities: createBareActivities(openTrain),
      ...(maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows }),
    });
  } else {
    throw new Error(`BENCH_WORKER_KIND must be engagement or bare, not ${kind}`);
  }
  console.log(`${READY_PREFIX} kind=${kind} maxCachedWorkflows=${worker.options.maxCachedWorkflows}`);
  try {
    await worker.run();
  } finally {
    await connection.close();
    await openTrain.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
