/**
 * The workflow interceptor modules of every engagement worker: bundled into lib/workflow-bundle.js
 * (scripts/build-workflow-bundle.ts) and loaded by a worker that bundles at start (worker/create-worker.ts).
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../workflows/legacy-query-guard')];
