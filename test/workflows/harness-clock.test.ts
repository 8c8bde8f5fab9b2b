import type { Duration } from '@temporalio/common';
import { FakeOpenTrain } from './support/fake-opentrain';
import { waitForState, waitUntil } from './support/engagement-handle';
import { timeSkippingSuite } from './support/harness';

const suite = timeSkippingSuite();

const claimBlocker = {
  kind: 'account_claim_required',
  message: 'Claim the account.',
  url: 'https://sandbox.test/claim',
};

/** Real milliseconds `env.sleep` took, or Infinity if it had not returned within `limitMs`. */
async function realMsToSkip(duration: Duration, limitMs: number): Promise<number> {
  const started = Date.now();
  const skipped = suite.env.sleep(duration).then(() => Date.now() - started);
  return Promise.race([skipped, new Promise<number>((r) => setTimeout(() => r(Infinity), limitMs))]);
}

// The two tests share the file's server, in this order: the first ends while an activity of its workflow runs.
describe('the time-skipping harness (one server per file)', () => {
  it('ends a test whose workflow is still in an activity', async () => {
    const fake = new FakeOpenTrain();
    fake.blockers = [claimBlocker];
    fake.onNotify = () => new Promise((r) => setTimeout(r, 1_500));
    await suite.run(fake, {}, async () => {
      await waitUntil(async () => fake.notifications.length === 1);
    });
    expect(fake.notifications.map((n) => n.kind)).toEqual(['blocked']);
  });

  it("still skips the next test's time: the earlier activity does not hold the clock", async () => {
    const fake = new FakeOpenTrain();
    fake.blockers = [claimBlocker];
    await suite.run(fake, {}, async (handle) => {
      await waitForState(handle, (s) => s.phase === 'blocked');
      expect(await realMsToSkip('16 minutes', 15_000)).toBeLessThan(15_000);
      await waitUntil(async () => fake.callsOf('checkPreconditions').length === 2);
    });
  });
});
