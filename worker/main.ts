import { NativeConnection } from '@temporalio/worker';
import path from 'node:path';
import { notifierFromEnv } from '../activities';
import { OpenTrainClient } from '../opentrain';
import { createEngagementWorker } from './create-worker';
import { deploymentOptionsFromEnv } from './versioning';

/**
 * `npm run worker`: connects to TEMPORAL_ADDRESS (default 127.0.0.1:7233) / TEMPORAL_NAMESPACE (default
 * 'default') and runs the engagement worker until SIGINT/SIGTERM, then drains and closes. OpenTrain settings come
 * from the environment (OPENTRAIN_API_BASE_URL, OPENTRAIN_API_TOKEN); the token stays in this process.
 * WORKER_DEPLOYMENT_NAME + WORKER_BUILD_ID make it a versioned worker (worker/versioning.ts).
 */
async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS || '127.0.0.1:7233';
  const namespace = process.env.TEMPORAL_NAMESPACE || 'default';
  const deployment = deploymentOptionsFromEnv();
  const openTrain = OpenTrainClient.fromEnv();
  const connection = await NativeConnection.connect({ address });
  try {
    const worker = await createEngagementWorker({
      connection,
      namespace,
      openTrain,
      notifier: notifierFromEnv(),
      deployment,
      ...(process.env.NODE_ENV === 'production'
        ? { workflowBundle: { codePath: path.resolve(__dirname, '../workflow-bundle.js') } }
        : {}),
    });
    // The SDK's default runtime shuts the worker down on SIGINT/SIGTERM; run() resolves once it has drained.
    const version = deployment
      ? `, build ${deployment.version.deploymentName}/${deployment.version.buildId}`
      : '';
    console.log(
      `engagement worker polling ${worker.options.taskQueue} on ${address} (${namespace}${version})`,
    );
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
