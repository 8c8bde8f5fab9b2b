import { engagementPolicySchema, POLICY_BOUNDS, worstCaseOpenTrainCallsPerHour } from '../../domain/policy';
import { FakeOpenTrain, HOUR_MS } from './support/fake-opentrain';
import { waitForState, waitUntil } from './support/engagement-handle';
import { timeSkippingSuite } from './support/harness';

/**
 * The most hostile policy the schema accepts, run for an hour of skipped server time: the OpenTrain calls the
 * workflow makes stay within `worstCaseOpenTrainCallsPerHour`, continue-as-new included.
 */
const suite = timeSkippingSuite();
jest.setTimeout(180_000);

const hostile = {
  reminderOffsetsMs: Array.from(
    { length: POLICY_BOUNDS.reminderOffsetsMs.maxCount },
    (_, i) => (i + 1) * 1_000,
  ),
  maxReRequestsAfterExpiry: POLICY_BOUNDS.maxReRequestsAfterExpiry.max,
  pollIntervalMinMs: POLICY_BOUNDS.pollIntervalMinMs.min,
  pollIntervalMaxMs: POLICY_BOUNDS.pollIntervalMaxMs.min,
  preconditionRecheckMs: POLICY_BOUNDS.preconditionRecheckMs.min,
  continueAsNewAfterEvents: POLICY_BOUNDS.continueAsNewAfterEvents.min,
  contractRecheckMs: POLICY_BOUNDS.contractRecheckMs.min,
};
const policy = engagementPolicySchema.parse(hostile);

/** Every call but telling the human, within the hour that starts at the first call. */
function openTrainCallsInFirstHour(fake: FakeOpenTrain): { name: string; at: number }[] {
  const calls = fake.calls.filter((c) => c.name !== 'notifyHuman');
  const from = calls[0]?.at ?? 0;
  return calls.filter((c) => c.at < from + HOUR_MS);
}

describe('a hostile in-bounds policy cannot spin against OpenTrain (time-skipping)', () => {
  it('blocked on a precondition: one check a minute, within the bound', async () => {
    const fake = new FakeOpenTrain();
    fake.blockers = [{ kind: 'account_claim_required', message: 'Claim the account.', url: 'https://claim' }];
    await suite.run(fake, { policy: hostile }, async (handle) => {
      await waitForState(handle, (s) => s.phase === 'blocked');
      await suite.env.sleep('61 minutes');
      await waitUntil(async () => fake.callsOf('checkPreconditions').length >= 60);
      const calls = openTrainCallsInFirstHour(fake);
      console.log(`blocked, hostile policy: ${calls.length} OpenTrain calls in the first hour`);
      // The loop ran at the hostile rate (one recheck a minute), and no faster.
      expect(calls.length).toBeGreaterThanOrEqual(60);
      expect(calls.length).toBeLessThanOrEqual(worstCaseOpenTrainCallsPerHour(policy, 0));
      expect(fake.callsOf('requestHire')).toHaveLength(0);
    });
  });

  it('waiting for the hire approval: polls every 5 s and continues-as-new, within the bound', async () => {
    const fake = new FakeOpenTrain();
    await suite.run(fake, { policy: hostile }, async (handle) => {
      await waitForState(handle, (s) => s.phase === 'awaiting_hire_approval');
      await suite.env.sleep('61 minutes');
      await waitUntil(async () => fake.callsOf('fetchApproval').length >= 700, 120_000);
      const calls = openTrainCallsInFirstHour(fake);
      const { runId } = await handle.describe();
      console.log(`awaiting approval, hostile policy: ${calls.length} OpenTrain calls in the first hour`);
      // At least one continue-as-new happened on the way (1,000 events), and cost no extra calls.
      expect(runId).not.toBe(handle.firstExecutionRunId);
      expect(calls.length).toBeGreaterThanOrEqual(700);
      expect(calls.length).toBeLessThanOrEqual(worstCaseOpenTrainCallsPerHour(policy, 1));
      // The hire was requested once: a new run follows the approval it carried, it does not ask again.
      expect(fake.callsOf('requestHire')).toHaveLength(1);
    });
  });
});
