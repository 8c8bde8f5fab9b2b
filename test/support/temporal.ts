import {
  DefaultLogger,
  Runtime,
  bundleWorkflowCode,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ENGAGEMENT_SEARCH_ATTRIBUTES } from '../../domain/search-attributes';
import { registerSearchAttributes } from '../../scripts/namespace-setup';
import { resolveTemporalBinaries } from '../../scripts/temporal-binaries';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../worker/workflow-bundling';

/**
 * The one place tests get a Temporal server from. Binaries come from scripts/temporal-binaries.ts (resolved once by
 * Jest's globalSetup); with no path, the SDK downloads them itself as on any connected machine.
 */

let runtimeInstalled = false;
function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed by an earlier suite in this worker process.
  }
}

function binaries() {
  const { TEMPORAL_CLI_PATH: cliPath, TEMPORAL_TEST_SERVER_PATH: testServerPath } = process.env;
  return cliPath || testServerPath ? { cliPath, testServerPath } : resolveTemporalBinaries();
}

/**
 * Java test server with time skipping: for timer-heavy scenarios (72 h expiry, reminders). It takes no
 * `--search-attribute` flags, so ours are added through the operator service, as on any namespace.
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  const { testServerPath } = binaries();
  const env = await TestWorkflowEnvironment.createTimeSkipping(
    testServerPath ? { server: { executable: { type: 'existing-path', path: testServerPath } } } : undefined,
  );
  try {
    await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  } catch (err) {
    await env.teardown();
    throw err;
  }
  return env;
}

/** The real dev server (`temporal server start-dev`), in memory, with our search attributes registered. */
export async function createDevServerEnv(): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  const { cliPath } = binaries();
  return TestWorkflowEnvironment.createLocal({
    server: {
      ...(cliPath ? { executable: { type: 'existing-path' as const, path: cliPath } } : {}),
      searchAttributes: [...ENGAGEMENT_SEARCH_ATTRIBUTES],
    },
  });
}

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

/** Bundles a workflows module once per test file (Jest isolates modules per file), with the workers' interceptors. */
export function bundleWorkflows(workflowsPath: string): Promise<WorkflowBundleWithSourceMap> {
  let bundle = bundles.get(workflowsPath);
  if (!bundle) {
    bundle = bundleWorkflowCode({
      workflowsPath,
      ...WORKFLOW_BUNDLE_OPTIONS,
      logger: new DefaultLogger('WARN'),
    });
    bundles.set(workflowsPath, bundle);
  }
  return bundle;
}

/** The production workflows (workflows/index.ts), bundled once per test file. */
export function bundleEngagementWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflows(require.resolve('../../workflows'));
}
