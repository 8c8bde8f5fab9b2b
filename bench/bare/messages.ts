import { defineQuery, defineSignal } from '@temporalio/workflow';

/** The bare baseline's messages, shared by its workflow and the scenarios that drive it. */

export const BARE_TASK_QUEUE = 'bench-bare';

export interface BareShape {
  /** Signals the workflow waits for, one after another. */
  signals: number;
  /** Activities, spread evenly over the steps (each step runs its share after its signal). */
  activities: number;
  /** Timers: the first ones guard the signal waits (like an approval's poll timer), the rest are short sleeps. */
  timers: number;
}

export interface BareProgress {
  /** Signals the workflow has taken in and fully acted on (activities run, state updated). */
  stepsDone: number;
  /** The step whose signal it waits for now, or undefined once done. */
  waitingFor?: number;
}

export const bareGoSignal = defineSignal('bareGo');
export const bareProgressQuery = defineQuery<BareProgress>('bareProgress');
