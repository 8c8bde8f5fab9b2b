import { processConfig } from '../config';
import { startWorkerProcess } from './run-worker';

/**
 * `npm run worker`: the engagement worker, configured by the environment (config/variables.ts), until SIGINT or
 * SIGTERM, then drains and closes. The OpenTrain token stays in this process.
 */
async function main(): Promise<void> {
  // The SDK's default runtime shuts the worker down on SIGINT/SIGTERM; run() resolves once it has drained.
  const worker = await startWorkerProcess(processConfig('worker'));
  await worker.run();
}

main().catch((err: unknown) => {
  // Before the logger exists (a configuration error) this is the only line; it names every bad variable.
  console.error(`engagement worker: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
