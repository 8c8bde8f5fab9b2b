import { randomBytes } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { EngagementClient } from '../../../client/engagement-client';
import { startApiService } from '../../../client/http/serve';
import type { RunningApi } from '../../../client/http/serve';
import { OpenTrainClient } from '../../../opentrain';
import { SandboxControl } from '../../../sandbox/control-client';
import { startSandbox } from '../../../sandbox/server';
import type { RunningSandbox } from '../../../sandbox/server';
import { createEngagementWorker } from '../../../worker/create-worker';
import { bundleEngagementWorkflows, createDevServerEnv } from '../../support/temporal';

/**
 * The whole product for one test file: dev server (search attributes registered), sandbox, worker (real
 * activities), HTTP API with the webhook receiver, and the updates feed.
 *  - webhooks 'sandbox': the API registers its subscription and the sandbox really delivers;
 *  - webhooks 'manual': the receiver knows a secret, the test delivers (forged, stale, duplicated…) itself;
 *  - webhooks 'off': no receiver at all; the feed's interval poll alone carries events.
 */
export interface E2eStackOptions {
  webhooks: 'sandbox' | 'manual' | 'off';
  feedPollIntervalMs: number;
  /** The feed's rhythm while a young approval waits and webhooks are silent (default: the feed's own, 2 s). */
  feedFastPollIntervalMs?: number;
}

export interface E2eStack {
  env: TestWorkflowEnvironment;
  sandbox: RunningSandbox;
  control: SandboxControl;
  token: string;
  openTrain: OpenTrainClient;
  api: RunningApi;
  apiToken: string;
  /** The receiver's secret: ours in 'manual' mode, the one OpenTrain issued in 'sandbox' mode, none when 'off'. */
  readonly webhookSecret?: string;
  engagements: EngagementClient;
  /** Stops the API process, runs `whileDown`, and starts a new one, as a redeploy would. */
  restartApi(whileDown?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

export async function startE2eStack(options: E2eStackOptions): Promise<E2eStack> {
  const env = await createDevServerEnv();
  const sandbox = await startSandbox({ port: 0, webhookRetryDelaysMs: [50, 100, 200, 400] });
  const control = new SandboxControl(sandbox.url);
  const { token } = await control.createAccount();
  const openTrain = new OpenTrainClient({ baseUrl: sandbox.apiBaseUrl, token });
  const worker: Worker = await createEngagementWorker({
    connection: env.nativeConnection,
    openTrain,
    workflowBundle: await bundleEngagementWorkflows(),
  });
  const workerRun = worker.run();
  const apiToken = randomBytes(18).toString('hex');
  const manualSecret = options.webhooks === 'manual' ? `whsec_${randomBytes(16).toString('hex')}` : undefined;
  let sandboxSecret: string | undefined;

  const startApi = () =>
    startApiService({
      temporal: env.client,
      apiToken,
      port: 0,
      feed: {
        input: {
          pollIntervalMs: options.feedPollIntervalMs,
          fastPollIntervalMs: options.feedFastPollIntervalMs,
        },
      },
      threadReader: openTrain,
      webhook:
        options.webhooks === 'off'
          ? undefined
          : options.webhooks === 'manual'
            ? { secret: manualSecret }
            : {
                secret: sandboxSecret,
                openTrain,
                publicUrl: (listening) => `${listening}/webhooks/opentrain`,
                onNewSecret: (secret) => {
                  sandboxSecret = secret;
                },
              },
    });

  const stack: E2eStack = {
    env,
    sandbox,
    control,
    token,
    openTrain,
    api: await startApi(),
    apiToken,
    get webhookSecret() {
      return manualSecret ?? sandboxSecret;
    },
    engagements: new EngagementClient(env.client, undefined, 'library', openTrain),
    restartApi: async (whileDown) => {
      await stack.api.close();
      await whileDown?.();
      stack.api = await startApi();
    },
    stop: async () => {
      await stack.api.close();
      worker.shutdown();
      await workerRun;
      await openTrain.close();
      await sandbox.close();
      await env.teardown();
    },
  };
  return stack;
}
