import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../worker/workflow-bundling';

// Each cached workflow evaluates the bundle's modules afresh, except those preloaded. zod must be among the
// preloaded (~700 KiB a workflow otherwise). The SDK preloads with a bare require, which webpack drops for a
// package marked side-effect free, as zod is: preloading 'zod' itself bundled to a no-op `0;`.
test('the workflow bundle preloads zod once per worker thread, not once per workflow', async () => {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    ...WORKFLOW_BUNDLE_OPTIONS,
    logger: new DefaultLogger('WARN'),
  });
  const preload = /exports\.preloadModules = function preloadModules\(\) \{([^}]*)\}/.exec(code)?.[1] ?? '';
  expect(preload).toContain('shared-modules');
  const sharedModule =
    /"\.\/(?:lib\/)?workflows\/shared-modules\.[jt]s"\s*\(?[^{]*\{([\s\S]*?)\n\/\*\*\*\/ \}/.exec(
      code,
    )?.[1] ?? '';
  expect(sharedModule).toMatch(/zod/);
}, 120_000);
