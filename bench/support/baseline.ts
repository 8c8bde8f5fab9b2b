import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import type { RecordedRequest } from '../../sandbox/traffic';
import { BARE_TASK_QUEUE, bareGoSignal, bareProgressQuery, type BareShape } from '../bare/messages';
import type { bareWorkflow } from '../bare/workflows';
import { readPatiently } from './lifecycle';
import { msToNextRequest } from './requests';

/** Starting and driving the bare baseline workflow (bench/bare/) from a scenario. */

export async function startBare(client: Client, workflowId: string, shape: BareShape) {
  return client.workflow.start<typeof bareWorkflow>('bareWorkflow', {
    workflowId,
    taskQueue: BARE_TASK_QUEUE,
    args: [shape],
  });
}

type BareHandle = Awaited<ReturnType<typeof startBare>>;

/** Polls the progress query every `pollMs` until `done` holds. */
export async function waitForProgress(
  handle: BareHandle,
  done: (stepsDone: number, waitingFor: number | undefined) => boolean,
  pollMs: number,
  timeoutMs = 300_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const progress = await readPatiently(() => handle.query(bareProgressQuery));
    if (done(progress.stepsDone, progress.waitingFor)) return;
    if (Date.now() > deadline)
      throw new Error(`bare workflow ${handle.workflowId} stuck at ${JSON.stringify(progress)}`);
    await sleep(pollMs);
  }
}

/**
 * The latency baseline: one bare workflow, `rounds` times signal → one activity (a GET /credits on the sandbox) →
 * state; per round the time until the query shows it and until the activity's request reached the sandbox.
 */
export async function measureBareRounds(
  client: Client,
  rounds: number,
  pollMs: number,
  readRequests: () => Promise<RecordedRequest[]>,
): Promise<{ toStateMs: number[]; toRequestMs: number[] }> {
  const handle = await startBare(client, `bare-latency-${Date.now()}`, {
    signals: rounds,
    activities: rounds,
    timers: 0,
  });
  const sentAt: number[] = [];
  const toStateMs: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    await waitForProgress(handle, (_done, waitingFor) => waitingFor === round, pollMs);
    const t0 = Date.now();
    sentAt.push(t0);
    await handle.signal(bareGoSignal);
    await waitForProgress(handle, (stepsDone) => stepsDone > round, pollMs);
    toStateMs.push(Date.now() - t0);
  }
  const requests = await readRequests();
  const toRequestMs = sentAt
    .map((t0) => msToNextRequest(requests, t0, ['/credits']))
    .filter((ms): ms is number => ms !== undefined);
  return { toStateMs, toRequestMs };
}
