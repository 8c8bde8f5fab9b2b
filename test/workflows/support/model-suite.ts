import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker, type LogEntry } from '@temporalio/worker';
import { ENGAGEMENT_SEARCH_ATTRIBUTES } from '../../../domain/search-attributes';
import { resolveTemporalBinaries } from '../../../scripts/temporal-binaries';
import { bundleEngagementWorkflows } from '../../support/temporal';
import { ModelOpenTrain } from './model-opentrain';

/** What every run of the model-based test shares: one dev server, one worker, one fake OpenTrain. */
export interface ModelSuite {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  openTrain: ModelOpenTrain;
  /** How often each kind of step happened over all runs: evidence that the runs reach the interesting cases. */
  coverage: Map<string, number>;
}

export interface RunningModelSuite extends ModelSuite {
  stop(): Promise<void>;
}

/**
 * The server suggests continue-as-new past this many events, so longer runs hand over to a new run mid-sequence
 * (the engagement's own policy floor is 1,000 events, far beyond a dozen commands) and every intent must survive it.
 */
const SUGGEST_CONTINUE_AS_NEW_AFTER_EVENTS = 120;

/**
 * The dev server as `createDevServerEnv` (test/support/temporal.ts) starts it, plus eager activity execution: the
 * server hands an activity to the worker in the reply to the workflow task that scheduled it, saving a poll per
 * activity. Runs are chains of short activities, so this roughly halves their wall time. And continue-as-new early.
 */
async function startDevServer(): Promise<TestWorkflowEnvironment> {
  const cliPath = process.env.TEMPORAL_CLI_PATH || resolveTemporalBinaries().cliPath;
  return TestWorkflowEnvironment.createLocal({
    server: {
      ...(cliPath ? { executable: { type: 'existing-path' as const, path: cliPath } } : {}),
      searchAttributes: [...ENGAGEMENT_SEARCH_ATTRIBUTES],
      extraArgs: [
        '--dynamic-config-value',
        'system.enableActivityEagerExecution=true',
        '--dynamic-config-value',
        `limit.historyCount.suggestContinueAsNew=${SUGGEST_CONTINUE_AS_NEW_AFTER_EVENTS}`,
      ],
    },
  });
}

/**
 * The injected 503s and the refused signals are planned: keep their warnings out of the output; every other
 * warning stays. Jest gives each test file its own modules, so this runtime is this file's; if one is already installed,
 * its logger stays.
 */
function installRuntimeWithoutInjectedFaults(): void {
  const plain = new DefaultLogger('WARN');
  // The model sends refused signals on purpose; the workflow logs each one it drops.
  const expected = (entry: LogEntry) =>
    String((entry.meta?.error as Error | undefined)?.message).includes('(injected;') ||
    (entry.meta?.sdkComponent === 'workflow' && entry.message.includes(' signal dropped: '));
  try {
    Runtime.install({
      logger: new DefaultLogger('WARN', (entry) => {
        if (!expected(entry)) plain.log(entry.level, entry.message, entry.meta);
      }),
    });
  } catch {
    // Already installed in this process.
  }
}

export async function startModelSuite(): Promise<RunningModelSuite> {
  installRuntimeWithoutInjectedFaults();
  const [env, workflowBundle] = await Promise.all([startDevServer(), bundleEngagementWorkflows()]);
  const openTrain = new ModelOpenTrain();
  const taskQueue = `engagements-model-${process.pid}`;
  let worker: Worker;
  try {
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle,
      activities: openTrain.activities(),
    });
  } catch (err) {
    await env.teardown();
    throw err;
  }
  const running = worker.run();
  return {
    env,
    taskQueue,
    openTrain,
    coverage: new Map(),
    async stop() {
      worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}
