import { intentKeyOfUpdateId } from '../../domain/intents';
import { type Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { EngagementClient } from '../../client/engagement-client';
import { IDEMPOTENCY_KEY_MISMATCH } from '../../client/idempotency-key';
import { InputValidationError, UpdateRejectedError } from '../../client/errors';
import { sampleState } from './fake-engagements';

const ID = 'engagement-prp_1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A Temporal client whose every update fails the way a workflow's handler failure reaches callers. */
function clientFailingUpdatesWith(failure: ApplicationFailure): Client {
  const handle = {
    executeUpdate: async () => {
      throw new WorkflowUpdateFailedError('Workflow Update failed', failure);
    },
  };
  return { workflow: { getHandle: () => handle } } as unknown as Client;
}

/** A Temporal client that records what each update and signal was sent with, and answers like the workflow. */
function recordingClient() {
  const updates: { name: string; options: { args: unknown[]; updateId?: string } }[] = [];
  const signals: { name: string; args: unknown[] }[] = [];
  const milestone = { id: 'm_2', name: null, description: 'More', amountUsd: 10, status: 'NOT_FUNDED' };
  const handle = {
    executeUpdate: async (update: { name: string }, options: { args: unknown[]; updateId?: string }) => {
      updates.push({ name: update.name, options });
      return ['endContract', 'retry', 'confirmNotFit'].includes(update.name) ? sampleState() : milestone;
    },
    signal: async (signal: string | { name: string }, ...args: unknown[]) =>
      void signals.push({ name: typeof signal === 'string' ? signal : signal.name, args }),
  };
  const client = { workflow: { getHandle: () => handle } } as unknown as Client;
  return { engagements: new EngagementClient(client), updates, signals };
}

describe('EngagementClient', () => {
  it("turns a failed update into UpdateRejectedError carrying the workflow's type, reason and details", async () => {
    const failure = ApplicationFailure.create({
      type: 'payment_method_required',
      message: 'milestone m_2 was created (NOT_FUNDED) but its funding was not requested: no card on file',
      details: [{ billingUrl: 'http://127.0.0.1:4010/billing', createdMilestone: { id: 'm_2' } }],
      nonRetryable: true,
    });
    const engagements = new EngagementClient(clientFailingUpdatesWith(failure));

    const error = await engagements.fundMilestone('engagement-prp_1', 'm_2').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UpdateRejectedError);
    expect(error).toMatchObject({
      engagementId: 'engagement-prp_1',
      failureType: 'payment_method_required',
      reason: expect.stringContaining('was created (NOT_FUNDED)'),
      details: { billingUrl: 'http://127.0.0.1:4010/billing', createdMilestone: { id: 'm_2' } },
    });
  });
});

describe('idempotency keys', () => {
  const calls: [string, (e: EngagementClient, key?: string) => Promise<unknown>][] = [
    [
      'addMilestone',
      (e, key) => e.addMilestone(ID, { description: 'More', amountUsd: 10 }, { idempotencyKey: key }),
    ],
    ['fundMilestone', (e, key) => e.fundMilestone(ID, 'm_2', { idempotencyKey: key })],
    ['releaseMilestone', (e, key) => e.releaseMilestone(ID, 'm_2', { idempotencyKey: key })],
    ['endContract', (e, key) => e.end(ID, { idempotencyKey: key })],
    ['retry', (e, key) => e.retry(ID, { milestoneId: 'm_2' }, { idempotencyKey: key })],
    ['confirmNotFit', (e, key) => e.confirmNotFit(ID, { idempotencyKey: key })],
  ];

  it.each(calls)(
    '%s sends the caller key inside the Temporal updateId, the same for a repeat',
    async (name, run) => {
      const { engagements, updates } = recordingClient();
      await run(engagements, `key-for-${name}`);
      await run(engagements, `key-for-${name}`);
      expect(updates.map((u) => u.name)).toEqual([name, name]);
      const [first, second] = updates.map((u) => u.options.updateId as string);
      expect(intentKeyOfUpdateId(first!)).toBe(`key-for-${name}`);
      expect(second).toBe(first);
    },
  );

  it('gives a key reused with other arguments another updateId, so the workflow (not Temporal) answers it', async () => {
    const { engagements, updates } = recordingClient();
    await engagements.fundMilestone(ID, 'm_2', { idempotencyKey: 'k1' });
    await engagements.fundMilestone(ID, 'm_3', { idempotencyKey: 'k1' });
    await engagements.releaseMilestone(ID, 'm_2', { idempotencyKey: 'k1' });
    const ids = updates.map((u) => u.options.updateId as string);
    expect(new Set(ids).size).toBe(3);
    expect(ids.map(intentKeyOfUpdateId)).toEqual(['k1', 'k1', 'k1']);
  });

  it.each(calls)('%s without a key makes a fresh UUID per call', async (_name, run) => {
    const { engagements, updates } = recordingClient();
    await run(engagements);
    await run(engagements);
    const [first, second] = updates.map((u) => intentKeyOfUpdateId(u.options.updateId as string));
    expect(first).toMatch(UUID);
    expect(second).toMatch(UUID);
    expect(first).not.toBe(second);
  });

  it('recheckPreconditions carries the key in the signal argument, or a fresh one', async () => {
    const { engagements, signals } = recordingClient();
    await engagements.recheckPreconditions(ID, { idempotencyKey: 'recheck-1' });
    await engagements.recheckPreconditions(ID);
    expect(signals[0]).toEqual({
      name: 'recheckPreconditions',
      args: [{ idempotencyKey: 'recheck-1', door: 'library' }],
    });
    expect(signals[1]?.args).toEqual([{ idempotencyKey: expect.stringMatching(UUID), door: 'library' }]);
  });

  it('sends its door beside the arguments, outside the digest: one key through two doors is one request', async () => {
    const { engagements, updates } = recordingClient();
    const viaMcp = engagements.forDoor('mcp');
    await engagements.fundMilestone(ID, 'm_2', { idempotencyKey: 'fund-2' });
    await viaMcp.fundMilestone(ID, 'm_2', { idempotencyKey: 'fund-2' });
    expect(updates.map((u) => u.options.args)).toEqual([
      [{ milestoneId: 'm_2', door: 'library' }],
      [{ milestoneId: 'm_2', door: 'mcp' }],
    ]);
    expect(updates[0]?.options.updateId).toBe(updates[1]?.options.updateId);
  });

  it.each([
    ['empty', ''],
    ['only whitespace', '   '],
    ['too long', 'k'.repeat(201)],
    ['a control character', 'key\u0000'],
    ['a newline', 'key\nnext'],
  ])(
    'rejects a key that is %s as InputValidationError naming idempotencyKey, sending nothing',
    async (_what, key) => {
      const { engagements, updates, signals } = recordingClient();
      for (const call of [
        () => engagements.fundMilestone(ID, 'm_2', { idempotencyKey: key }),
        () => engagements.recheckPreconditions(ID, { idempotencyKey: key }),
        () =>
          engagements.start(
            { proposalId: 'p', firstMilestone: { name: 'n', amountUsd: 1 } },
            { idempotencyKey: key },
          ),
      ]) {
        const error = await call().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InputValidationError);
        expect((error as InputValidationError).issues.map((i) => i.path)).toEqual(['idempotencyKey']);
      }
      expect(updates).toEqual([]);
      expect(signals).toEqual([]);
    },
  );

  it('accepts a 200-character key', async () => {
    const { engagements, updates } = recordingClient();
    await engagements.end(ID, { idempotencyKey: 'k'.repeat(200) });
    expect(intentKeyOfUpdateId(updates[0]?.options.updateId as string)).toBe('k'.repeat(200));
  });

  it('reports a key reused with other arguments as UpdateRejectedError of type idempotency_key_mismatch', async () => {
    const failure = ApplicationFailure.create({
      type: IDEMPOTENCY_KEY_MISMATCH,
      message: 'idempotency key k1 was already used for another request (fund with other arguments)',
      details: [{ intentKey: 'k1', kind: 'fund' }],
      nonRetryable: true,
    });
    const engagements = new EngagementClient(clientFailingUpdatesWith(failure));
    const error = await engagements
      .fundMilestone(ID, 'm_3', { idempotencyKey: 'k1' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpdateRejectedError);
    expect(error).toMatchObject({ failureType: 'idempotency_key_mismatch', details: { intentKey: 'k1' } });
  });
});
