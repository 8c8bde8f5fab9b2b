import { condition, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { BareActivities } from './activities';
import { bareGoSignal, bareProgressQuery, type BareProgress, type BareShape } from './messages';

const { touchOpenTrain } = proxyActivities<BareActivities>({ startToCloseTimeout: '30 seconds' });

/**
 * The bare-Temporal baseline: wait for a signal, run activities, update the state a query reads — as many of each
 * (and timers) as the shape says. With { signals: n, activities: n, timers: 0 } it is the latency baseline: signal →
 * one activity → state visible.
 */
export async function bareWorkflow(shape: BareShape): Promise<BareProgress> {
  let received = 0;
  const progress: BareProgress = { stepsDone: 0, waitingFor: 0 };
  setHandler(bareGoSignal, () => void (received += 1));
  setHandler(bareProgressQuery, () => progress);
  let activitiesRun = 0;
  let timersUsed = 0;
  for (let step = 0; step < shape.signals; step += 1) {
    progress.waitingFor = step;
    // A timer only when the wait really waits: one started and cancelled in the same activation never reaches the server.
    if (received <= step && timersUsed < shape.timers) {
      timersUsed += 1;
      await condition(() => received > step, '1 hour');
    } else {
      await condition(() => received > step);
    }
    const share = Math.round(((step + 1) * shape.activities) / shape.signals) - activitiesRun;
    for (let i = 0; i < share; i += 1) await touchOpenTrain();
    activitiesRun += share;
    if (step === shape.signals - 1) {
      for (; timersUsed < shape.timers; timersUsed += 1) await sleep(1);
      progress.waitingFor = undefined;
    }
    progress.stepsDone = step + 1;
  }
  return progress;
}
