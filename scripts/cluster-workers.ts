import { createHash } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDaemon, stopChild } from './child-process';
import { connectTemporal } from '../client/temporal-connection';

/**
 * The worker processes of `npm run cluster`: each one `node lib/worker/main.js` with its own metrics port, all of
 * them versioned workers of one deployment whose build id is the hash of the built code, so a code change is a new
 * build and everything else is the same build again. Once the build polls, it is made the deployment's current
 * version (idempotent: nothing happens when it already is).
 */

const REPO = resolve(__dirname, '..');
export const WORKER_ENTRY = join(REPO, 'lib', 'worker', 'main.js');
export const DEFAULT_DEPLOYMENT_NAME = 'opentrain-engagements';

export interface WorkerProcess {
  index: number;
  metricsPort: number;
  logFile: string;
  readonly child: ChildProcess;
  /** SIGKILL, as a crashed host would (no drain). */
  kill(): Promise<void>;
  /** SIGTERM: the worker drains its tasks and exits. */
  stop(): Promise<void>;
}

/** sha256 over every file under lib/ (names and contents), shortened: the same build gives the same id. */
export function buildIdOfLib(libDir = join(REPO, 'lib')): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(`${path.slice(libDir.length)}\0`).update(readFileSync(path));
    }
  };
  walk(libDir);
  return `lib-${hash.digest('hex').slice(0, 12)}`;
}

export function startWorkerProcesses(options: {
  metricsPorts: number[];
  env: NodeJS.ProcessEnv;
  logDir: string;
}): WorkerProcess[] {
  return options.metricsPorts.map((metricsPort, i) => {
    const logFile = join(options.logDir, `worker-${i + 1}.log`);
    const child = startDaemon(process.execPath, [WORKER_ENTRY], {
      ownProcessGroup: true,
      logFile,
      env: { ...options.env, METRICS_PORT: String(metricsPort), NODE_ENV: 'production' },
    });
    return {
      index: i + 1,
      metricsPort,
      logFile,
      child,
      kill: () => stopChild(child, 5_000, 'SIGKILL'),
      // Activities may be mid-call to OpenTrain: give the drain its time before SIGKILL.
      stop: () => stopChild(child, 30_000),
    };
  });
}

/**
 * Waits until the build has pollers (the version exists only then), then routes the deployment's new and
 * auto-upgrading workflows to it — what `temporal worker deployment set-current-version` does.
 */
export async function makeBuildCurrent(options: {
  temporalAddress: string;
  namespace: string;
  deploymentName: string;
  buildId: string;
  workers: WorkerProcess[];
  timeoutMs?: number;
}): Promise<void> {
  const { namespace, deploymentName, buildId } = options;
  const connection = await connectTemporal({ address: options.temporalAddress });
  try {
    const deadline = Date.now() + (options.timeoutMs ?? 90_000);
    for (;;) {
      const dead = options.workers.find((w) => w.child.exitCode !== null);
      if (dead) throw new Error(`worker ${dead.index} exited (${dead.child.exitCode}); see ${dead.logFile}`);
      const info = await connection.workflowService
        .describeWorkerDeployment({ namespace, deploymentName })
        .then(
          (res) => res.workerDeploymentInfo,
          () => undefined,
        );
      const routing = info?.routingConfig;
      if (routing?.currentDeploymentVersion?.buildId === buildId) return;
      if (info?.versionSummaries?.some((v) => v.deploymentVersion?.buildId === buildId)) {
        await connection.workflowService.setWorkerDeploymentCurrentVersion({
          namespace,
          deploymentName,
          buildId,
          identity: 'npm run cluster',
        });
        return;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `build ${deploymentName}/${buildId} never registered with Temporal; see the worker logs`,
        );
      }
      await sleep(500);
    }
  } finally {
    await connection.close();
  }
}
