import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { logTail, startDaemon, stopChild } from './child-process';
import { goBinary } from './cluster-go-build';

/**
 * The Temporal UI for `npm run cluster`. The `temporal` CLI only serves a UI inside `server start-dev`, so this is
 * the UI server itself (github.com/temporalio/ui-server/v2, its web assets embedded), built like the Temporal
 * server and configured by deploy/temporal/ui/cluster.yaml, pointed at our codec endpoint.
 */

const REPO = resolve(__dirname, '..');

export async function startUiServer(options: {
  temporalAddress: string;
  namespace: string;
  port: number;
  codecEndpoint?: string;
  logFile: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}): Promise<{ url: string; stop(): Promise<void> }> {
  const env = options.env ?? process.env;
  const binary = await goBinary('temporal-ui-server', 'temporal-ui-server', env, options.log);
  const child = startDaemon(
    binary,
    ['--root', REPO, '--config', 'deploy/temporal/ui', '--env', 'cluster', 'start'],
    {
      ownProcessGroup: true,
      logFile: options.logFile,
      env: {
        ...env,
        TEMPORAL_ADDRESS: options.temporalAddress,
        TEMPORAL_NAMESPACE: options.namespace,
        TEMPORAL_UI_PORT: String(options.port),
        TEMPORAL_CODEC_ENDPOINT: options.codecEndpoint ?? '',
      },
    },
  );
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(
        `the Temporal UI server exited (${child.exitCode}); see ${options.logFile}${logTail(options.logFile)}`,
      );
    const up = await request(url).then(
      async (res) => (await res.body.dump(), res.statusCode < 500),
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(
        `the Temporal UI server did not answer at ${url}; see ${options.logFile}${logTail(options.logFile)}`,
      );
    }
    await sleep(300);
  }
  return { url, stop: () => stopChild(child) };
}
