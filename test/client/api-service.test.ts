import type { Client } from '@temporalio/client';
import { startApiService } from '../../client/http/serve';
import type { RunningApi } from '../../client/http/serve';
import { UPDATES_FEED_WORKFLOW_ID } from '../../domain/ids';
import { postWebhook, signWebhook } from './webhook-delivery';

/**
 * The API process around the routes: the webhook answers before the doorbell reaches Temporal, and rings that
 * arrive while one is on its way collapse into one more. Temporal is faked at the client's two calls.
 */

const SECRET = 'whsec_service_test';

function deferred() {
  let release: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { promise, release };
}

function fakeTemporal() {
  const gates: ReturnType<typeof deferred>[] = [];
  const signals: { workflowId: string; signal: string; signalArgs: unknown[] }[] = [];
  const starts: string[] = [];
  const client = {
    workflow: {
      start: async (_type: string, options: { workflowId: string }) => void starts.push(options.workflowId),
      signalWithStart: async (
        _type: string,
        options: { workflowId: string; signal: { name: string }; signalArgs: unknown[] },
      ) => {
        signals.push({
          workflowId: options.workflowId,
          signal: options.signal.name,
          signalArgs: options.signalArgs,
        });
        const gate = deferred();
        gates.push(gate);
        await gate.promise;
      },
    },
  };
  return { client: client as unknown as Client, gates, signals, starts };
}

let api: RunningApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

function deliver(url: string, deliveryId: string) {
  const body = JSON.stringify({ id: deliveryId, type: 'approval.confirmed', data: {} });
  return postWebhook(url, body, {
    'x-opentrain-signature': signWebhook(SECRET, body),
    'x-opentrain-delivery': deliveryId,
  });
}

it('makes sure the updates feed runs before it serves', async () => {
  const temporal = fakeTemporal();
  api = await startApiService({ temporal: temporal.client, apiToken: 'service-test-token', port: 0 });
  expect(temporal.starts).toEqual([UPDATES_FEED_WORKFLOW_ID]);
});

it('answers the webhook at once while the doorbell is still on its way, then rings the feed', async () => {
  const temporal = fakeTemporal();
  api = await startApiService({
    temporal: temporal.client,
    apiToken: 'service-test-token',
    port: 0,
    webhook: { secret: SECRET },
  });

  // The first ring is held at Temporal; the delivery is answered regardless.
  const started = Date.now();
  expect((await deliver(api.url, 'dlv_1')).statusCode).toBe(202);
  expect(Date.now() - started).toBeLessThan(2_000);
  expect(temporal.signals).toEqual([
    {
      workflowId: UPDATES_FEED_WORKFLOW_ID,
      signal: 'updatesDoorbell',
      signalArgs: [{ deliveryId: 'dlv_1' }],
    },
  ]);

  // Two more deliveries while it is held: both answered, and together they cost one more ring, not two.
  expect((await deliver(api.url, 'dlv_2')).statusCode).toBe(202);
  expect((await deliver(api.url, 'dlv_3')).statusCode).toBe(202);
  expect(temporal.signals).toHaveLength(1);
  temporal.gates[0]?.release();
  while (temporal.gates.length < 2) await new Promise((r) => setTimeout(r, 10));
  temporal.gates[1]?.release();
  await api.doorbell.idle();
  expect(temporal.signals).toHaveLength(2);
});
