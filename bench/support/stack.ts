import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { EngagementClient } from '../../client/engagement-client';
import { startApiService, type RunningApi } from '../../client/http/serve';
import { OpenTrainClient } from '../../opentrain';
import { SandboxControl } from '../../sandbox/control-client';
import { startSandbox, type RunningSandbox } from '../../sandbox/server';
import { startDevServer, type RunningDevServer } from '../../scripts/dev-server';
import { freePort } from '../../test/chaos/support/processes';
import { WorkerProcess, type WorkerKind } from './worker-process';
import { connectTemporal } from '../../client/temporal-connection';

/**
 * The product as `npm start` runs it, one per scenario (or mode): the Temporal dev server on its own SQLite file
 * (WAL, headless), the OpenTrain sandbox and the HTTP API with the updates feed in this process — webhooks
 * registered with the sandbox, or off — and each worker as its own process. Feed and engagements keep the
 * product's defaults unless a scenario says otherwise, so the same benchmark measures whatever main does.
 */

export interface BenchStackOptions {
  root: string;
  webhooks: boolean;
  /** Only when the scenario cannot wait for the default interval (--quick without webhooks). */
  feedPollIntervalMs?: number;
  workers: WorkerKind[];
  maxCachedWorkflows?: number;
}

export class BenchStack {
  readonly workers = new Map<WorkerKind, WorkerProcess>();
  readonly engagements: EngagementClient;

  private constructor(
    private readonly options: BenchStackOptions,
    readonly dir: string,
    readonly server: RunningDevServer,
    readonly sandbox: RunningSandbox,
    readonly control: SandboxControl,
    readonly token: string,
    readonly openTrain: OpenTrainClient,
    readonly connection: Connection,
    readonly client: Client,
    readonly api: RunningApi,
  ) {
    this.engagements = new EngagementClient(client);
  }

  static async start(options: BenchStackOptions): Promise<BenchStack> {
    const dir = mkdtempSync(join(tmpdir(), 'opentrain-bench-'));
    const server = await startDevServer({
      dbFile: join(dir, 'temporal.db'),
      port: await freePort(),
      uiPort: await freePort(),
      logFile: join(dir, 'temporal.log'),
      headless: true,
    });
    const sandbox = await startSandbox({ port: 0, webhookRetryDelaysMs: [50, 100, 200, 400] });
    const control = new SandboxControl(sandbox.url);
    const { token } = await control.createAccount();
    const openTrain = new OpenTrainClient({ baseUrl: sandbox.apiBaseUrl, token });
    const connection = await connectTemporal({ address: server.address });
    const client = new Client({ connection });
    const api = await startApiService({
      temporal: client,
      apiToken: randomBytes(18).toString('hex'),
      port: 0,
      logger: { level: 'warn' },
      feed: {
        input: options.feedPollIntervalMs ? { pollIntervalMs: options.feedPollIntervalMs } : {},
      },
      webhook: options.webhooks
        ? { openTrain, publicUrl: (listening) => `${listening}/webhooks/opentrain` }
        : undefined,
    });
    const stack = new BenchStack(
      options,
      dir,
      server,
      sandbox,
      control,
      token,
      openTrain,
      connection,
      client,
      api,
    );
    for (const kind of options.workers) await stack.startWorker(kind, options.maxCachedWorkflows);
    return stack;
  }

  worker(kind: WorkerKind): WorkerProcess {
    const worker = this.workers.get(kind);
    if (!worker) throw new Error(`no ${kind} worker in this stack`);
    return worker;
  }

  /** Starts (or replaces, after a drain) the worker of `kind`, e.g. with another cache size. */
  async startWorker(kind: WorkerKind, maxCachedWorkflows?: number): Promise<WorkerProcess> {
    await this.workers.get(kind)?.stop();
    const worker = await WorkerProcess.start({
      kind,
      root: this.options.root,
      logDir: this.dir,
      temporalAddress: this.server.address,
      openTrainBaseUrl: this.sandbox.apiBaseUrl,
      openTrainToken: this.token,
      maxCachedWorkflows,
    });
    this.workers.set(kind, worker);
    worker.onUnexpectedExit((how) => {
      console.error(
        `\nbench: the ${kind} worker process died (${how}) in the middle of the scenario; its log stays in ` +
          `${this.dir}/worker-${kind}.log. Stopping; the figures of finished scenarios are saved.`,
      );
      void this.stop({ keepLogs: true }).finally(() => process.exit(1));
    });
    return worker;
  }

  async stop({ keepLogs = false }: { keepLogs?: boolean } = {}): Promise<void> {
    await this.api.close();
    for (const worker of this.workers.values()) await worker.stop();
    await this.connection.close();
    await this.openTrain.close();
    await this.sandbox.close();
    await this.server.stop();
    if (!keepLogs) rmSync(this.dir, { recursive: true, force: true });
  }
}
