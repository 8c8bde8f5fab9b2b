import type { BundleOptions } from '@temporalio/worker';

/**
 * How engagement workflows are bundled, the same everywhere: into lib/workflow-bundle.js
 * (scripts/build-workflow-bundle.ts), by a worker that bundles at start (worker/create-worker.ts), and by the tests.
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../workflows/legacy-query-guard')];

/** Modules evaluated once per worker thread and shared by every workflow it holds (workflows/shared-modules.ts). */
export const WORKFLOW_PRELOAD_MODULES = [require.resolve('../workflows/shared-modules')];

export const WORKFLOW_BUNDLE_OPTIONS = {
  workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
  preloadModules: WORKFLOW_PRELOAD_MODULES,
} satisfies Partial<BundleOptions>;
