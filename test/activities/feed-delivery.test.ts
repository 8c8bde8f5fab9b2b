import { WorkflowNotFoundError } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';
import { createFeedDeliveryActivities } from '../../activities/feed-delivery';

/** A client whose signals take a while each and are recorded as the server would accept them. */
function recordingTemporal(options: { notRunning?: string[]; failing?: string[] } = {}) {
  const accepted: string[] = [];
  const temporal = {
    workflow: {
      getHandle: (workflowId: string) => ({
        signal: async (signal: string, args: { n: number }) => {
          await sleep(5 * Math.random());
          if (options.notRunning?.includes(workflowId))
            throw new WorkflowNotFoundError('workflow not found', workflowId, undefined);
          if (options.failing?.includes(workflowId)) throw new Error('14 UNAVAILABLE: connection refused');
          accepted.push(`${workflowId}:${signal}:${args.n}`);
        },
      }),
    },
  };
  return { accepted, temporal: temporal as never };
}

const deliveries = (spec: [string, number][]) =>
  spec.map(([workflowId, n]) => ({ workflowId, signal: 'openTrainEvent', args: { n } }));

it("delivers each engagement's events in order, engagements side by side", async () => {
  const { accepted, temporal } = recordingTemporal();
  const spec: [string, number][] = [
    ['e_a', 1],
    ['e_b', 2],
    ['e_a', 3],
    ['e_c', 4],
    ['e_a', 5],
    ['e_b', 6],
  ];
  const outcome = await createFeedDeliveryActivities({ temporal }).feedDeliverEvents({
    deliveries: deliveries(spec),
  });
  expect(outcome).toEqual({ delivered: 6, notRunning: [] });
  const of = (id: string) =>
    accepted.filter((a) => a.startsWith(`${id}:`)).map((a) => Number(a.split(':')[2]));
  expect(of('e_a')).toEqual([1, 3, 5]);
  expect(of('e_b')).toEqual([2, 6]);
  expect(of('e_c')).toEqual([4]);
});

it('reports an engagement that is not running and delivers the rest', async () => {
  const { accepted, temporal } = recordingTemporal({ notRunning: ['e_gone'] });
  const outcome = await createFeedDeliveryActivities({ temporal }).feedDeliverEvents({
    deliveries: deliveries([
      ['e_gone', 1],
      ['e_a', 2],
      ['e_gone', 3],
    ]),
  });
  expect(outcome.delivered).toBe(1);
  expect(outcome.notRunning.map((m) => [m.index, m.workflowId])).toEqual([
    [0, 'e_gone'],
    [2, 'e_gone'],
  ]);
  expect(accepted).toEqual(['e_a:openTrainEvent:2']);
});

it('fails (to be retried) when a signal fails for any other reason, after the other lanes settled', async () => {
  const { accepted, temporal } = recordingTemporal({ failing: ['e_down'] });
  await expect(
    createFeedDeliveryActivities({ temporal }).feedDeliverEvents({
      deliveries: deliveries([
        ['e_down', 1],
        ['e_a', 2],
        ['e_a', 3],
      ]),
    }),
  ).rejects.toThrow('UNAVAILABLE');
  // The other engagement's lane ran to its end: nothing is left half-sent behind the activity's back.
  expect(accepted).toEqual(['e_a:openTrainEvent:2', 'e_a:openTrainEvent:3']);
});
