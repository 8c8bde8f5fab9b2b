import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { connectTemporal } from '../../client/temporal-connection';
import { freePort } from '../support/ports';

/**
 * A connection closed while a call waits between retries (Temporal down or restarting): with the SDK's own
 * interceptor the next attempt throws "Channel has been shut down" from its timer, an uncaught exception that
 * fails whatever process holds it. Ours ends the call instead.
 */
it.each([
  ['ours (connectTemporal)', connectTemporal],
  // The SDK's default interceptor, as TestWorkflowEnvironment makes it: guarded by test/support/close-safe-retries.ts.
  ['the SDK default, in tests', (options: { address: string }) => Promise.resolve(Connection.lazy(options))],
])(
  '%s: a call waiting to retry ends when the connection closes, with no uncaught error',
  async (_which, connect) => {
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      // Nothing listens there: every attempt fails UNAVAILABLE and is retried after a pause.
      const connection = await connect({
        address: `127.0.0.1:${await freePort()}`,
        lazy: true,
        connectTimeout: 200,
        retry: { maxAttempts: 50, factor: 1, initialIntervalMs: () => 150, maxIntervalMs: () => 150 },
      });
      const call = connection.workflowService.getSystemInfo({}).then(
        () => 'answered',
        (err: Error) => err.message,
      );
      await sleep(400); // a few attempts in, one more waiting on its timer
      await connection.close();
      const outcome = await Promise.race([call, sleep(5_000).then(() => 'still waiting')]);
      expect(outcome).toMatch(/CANCELLED|closed|UNAVAILABLE/i);
      await sleep(500); // past the pause of the attempt that was due
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  },
);

it('fails a call made after close at once, with the channel named', async () => {
  const connection = await connectTemporal({ address: `127.0.0.1:${await freePort()}`, lazy: true });
  await connection.close();
  await expect(connection.workflowService.getSystemInfo({})).rejects.toThrow(/shut down/);
});
