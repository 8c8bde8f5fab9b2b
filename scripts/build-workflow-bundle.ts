import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FAILURE_CONVERTER_PATH } from '../codec/data-converter';
import { WORKFLOW_BUNDLE_OPTIONS } from '../worker/workflow-bundling';

/**
 * `npm run build` step: bundles workflows/ once into lib/workflow-bundle.js, which the worker loads in production
 * (NODE_ENV=production) instead of bundling at start. Runs compiled from lib/scripts/.
 */
async function build(): Promise<void> {
  const libDir = path.resolve(__dirname, '..');
  // With the encoding failure converter: failure messages are encrypted whenever the worker has a codec, and read
  // by every client either way (codec/failure-converter.ts).
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.join(libDir, 'workflows'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    ...WORKFLOW_BUNDLE_OPTIONS,
  });
  const codePath = path.join(libDir, 'workflow-bundle.js');
  await mkdir(libDir, { recursive: true });
  await writeFile(codePath, code);
  console.log(`workflow bundle written to ${codePath}`);
}

build().catch((err) => {
  console.error(err);
  process.exit(1);
});
