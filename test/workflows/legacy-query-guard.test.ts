import type { ActivateInput } from '@temporalio/workflow';
import { interceptors, QUERY_RAN_AHEAD } from '../../workflows/legacy-query-guard';

/**
 * The guard's decision on the activations sdk-core sends: a query on its own right after an activation whose
 * history grew while the workflow clock stood still is refused; everything else passes through. The same scenario
 * with real workers is in test/client/guarded-query.test.ts.
 */

interface Step {
  clock?: number;
  history?: number;
  replaying?: boolean;
  query?: string;
}

/** Runs the activations through one guard (one workflow run); says for each whether it passed through. */
function run(steps: Step[]): ('passed' | 'refused')[] {
  const [guard] = interceptors().internals ?? [];
  if (!guard?.activate) throw new Error('no activate interceptor');
  const activate = guard.activate.bind(guard);
  return steps.map((step) => {
    const jobs = step.query ? [{ queryWorkflow: { queryId: step.query } }] : [{ resolveActivity: {} }];
    const input = {
      activation: {
        jobs,
        timestamp: { seconds: step.clock ?? 0, nanos: 0 },
        historyLength: step.history ?? 0,
        isReplaying: step.replaying ?? false,
      },
      batchIndex: 0,
    } as unknown as ActivateInput;
    try {
      activate(input, () => undefined);
      return 'passed';
    } catch (err) {
      expect((err as Error).message).toBe(QUERY_RAN_AHEAD);
      return 'refused';
    }
  });
}

it('refuses the query on its own that follows events applied without a workflow task', () => {
  expect(
    run([
      { clock: 10, history: 13, replaying: true },
      { clock: 10, history: 18 }, // the activity result and its unstarted task, read for the query
      { query: 'legacy_query' },
    ]),
  ).toEqual(['passed', 'passed', 'refused']);
});

it('answers a query on its own after a workflow task', () => {
  expect(
    run([
      { clock: 10, history: 13 },
      { clock: 12, history: 21 }, // the next task: its start moved the clock
      { query: 'legacy_query' },
    ]),
  ).toEqual(['passed', 'passed', 'passed']);
});

it('answers a query that came with a workflow task, and never fails a task', () => {
  expect(
    run([
      { clock: 10, history: 13 },
      { clock: 10, history: 18 },
      { query: '7f3c-a-query-id-from-the-server' },
      { clock: 10, history: 21 },
    ]),
  ).toEqual(['passed', 'passed', 'passed', 'passed']);
});

it('does not suspect a replay, nor a second activation of the same task', () => {
  expect(
    run([
      { clock: 10, history: 13, replaying: true },
      { clock: 10, history: 18, replaying: true },
      { query: 'legacy_query' },
      { clock: 12, history: 21 },
      { clock: 12, history: 21 }, // same task, same history: e.g. after an immediate cancellation
      { query: 'legacy_query' },
    ]),
  ).toEqual(['passed', 'passed', 'passed', 'passed', 'passed', 'passed']);
});
