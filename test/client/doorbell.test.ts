import type { Client } from '@temporalio/client';
import type { FeedEvent } from '../../activities/updates-feed';
import { Doorbell, routeVerifiedDelivery } from '../../client/updates-feed';
import type { DoorbellRing, KnownRoute } from '../../workflows/updates-feed-messages';

/** The Temporal client as the receiver uses it: rings (signal-with-start), the feed's query, engagement signals. */
function fakeTemporal(
  route: KnownRoute | null | Error,
  opts: { signalFails?: boolean; slowRing?: boolean; queryMs?: number } = {},
) {
  const rings: DoorbellRing[] = [];
  const signals: { workflowId: string; name: string; args: unknown }[] = [];
  let release: () => void = () => undefined;
  const client = {
    workflow: {
      async signalWithStart(_type: string, options: { signalArgs: [DoorbellRing] }) {
        rings.push(options.signalArgs[0]);
        if (opts.slowRing && rings.length === 1) await new Promise<void>((r) => (release = r));
      },
      getHandle: (workflowId: string) => ({
        async query() {
          if (opts.queryMs) await new Promise((r) => setTimeout(r, opts.queryMs));
          if (route instanceof Error) throw route;
          return route;
        },
        async signal(name: string, args: unknown) {
          if (opts.signalFails) throw new Error('workflow not found');
          signals.push({ workflowId, name, args });
        },
      }),
    },
  } as unknown as Client;
  return { client, rings, signals, release: () => release() };
}

const event: FeedEvent = {
  id: '7',
  type: 'milestone.status_changed',
  resourceId: 'mil_1',
  contractId: 'ctr_1',
};
const delivery = { workflowId: 'engagement-p_1', signal: 'openTrainEvent', args: { eventId: '7' } };

describe('a verified webhook delivery', () => {
  it('goes straight to the engagement the feed names, and the ring asks for no poll', async () => {
    const t = fakeTemporal({ delivery });
    await routeVerifiedDelivery(t.client, new Doorbell(t.client), 'd1', event);
    expect(t.signals).toEqual([
      { workflowId: 'engagement-p_1', name: 'openTrainEvent', args: { eventId: '7' } },
    ]);
    expect(t.rings).toEqual([{ deliveryId: 'd1', routedAhead: [event], poll: false }]);
  });

  it('asks for no poll and routes nothing when no engagement acts on the event', async () => {
    const t = fakeTemporal({});
    await routeVerifiedDelivery(t.client, new Doorbell(t.client), 'd1', event);
    expect(t.signals).toEqual([]);
    expect(t.rings).toEqual([{ deliveryId: 'd1', poll: false }]);
  });

  it.each([
    ['the route takes a read', null, {}],
    ['the feed cannot be asked', new Error('feed not running'), {}],
    ['the engagement is not there', { delivery }, { signalFails: true }],
  ])('rings for a poll now when %s', async (_why, route, opts) => {
    const t = fakeTemporal(route, opts);
    await routeVerifiedDelivery(t.client, new Doorbell(t.client), 'd1', event);
    expect(t.signals).toEqual([]);
    expect(t.rings).toEqual([{ deliveryId: 'd1' }]);
  });

  it('rings for a poll when the feed is slow to name the route, and drops the late answer', async () => {
    const t = fakeTemporal({ delivery }, { queryMs: 300 });
    const misses: unknown[] = [];
    await routeVerifiedDelivery(t.client, new Doorbell(t.client), 'd1', event, (err) => misses.push(err), 50);
    expect(t.rings).toEqual([{ deliveryId: 'd1' }]);
    await new Promise((r) => setTimeout(r, 400)); // the answer comes, and changes nothing
    expect(t.signals).toEqual([]);
    expect(t.rings).toEqual([{ deliveryId: 'd1' }]);
    expect(String(misses[0])).toMatch(/within 50 ms/);
  });

  it('rings for a poll when the body was not an event', async () => {
    const t = fakeTemporal({ delivery });
    await routeVerifiedDelivery(t.client, new Doorbell(t.client), 'd1', undefined);
    expect(t.rings).toEqual([{ deliveryId: 'd1' }]);
  });
});

describe('the doorbell', () => {
  it('collapses rings made while one is sent into one more, keeping every routed-ahead event', async () => {
    const t = fakeTemporal(null, { slowRing: true });
    const doorbell = new Doorbell(t.client);
    const first = doorbell.ring({ deliveryId: 'd1', routedAhead: [event], poll: false });
    const other: FeedEvent = { ...event, id: '8' };
    void doorbell.ring({ deliveryId: 'd2', routedAhead: [other], poll: false });
    void doorbell.ring({ deliveryId: 'd3', poll: false });
    t.release();
    await first;
    await doorbell.idle();
    expect(t.rings).toEqual([
      { deliveryId: 'd1', routedAhead: [event], poll: false },
      { deliveryId: 'd3', routedAhead: [other], poll: false },
    ]);
  });

  it('asks for a poll when any collapsed ring did', async () => {
    const t = fakeTemporal(null, { slowRing: true });
    const doorbell = new Doorbell(t.client);
    void doorbell.ring({ deliveryId: 'd1' });
    void doorbell.ring({ deliveryId: 'd2', routedAhead: [event], poll: false });
    void doorbell.ring({ deliveryId: 'd3' });
    t.release();
    await doorbell.idle();
    expect(t.rings).toEqual([{ deliveryId: 'd1' }, { deliveryId: 'd3', routedAhead: [event] }]);
  });
});
