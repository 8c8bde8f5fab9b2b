import type { Command } from 'commander';
import { buildProgram, runCli } from '../../client/cli/program';
import { temporalSettingsFromEnv } from '../../client/connection';
import type { CliIo } from '../../client/cli/context';
import type { EngagementState } from '../../domain/engagement-view';
import { fakeEngagements, KNOWN_ID, sampleState } from './fake-engagements';

const NOW = Date.parse('2026-01-01T12:00:00.000Z');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** A key the CLI made for this invocation. */
const anyKey = { idempotencyKey: expect.stringMatching(UUID) };

function harness(options: { connectFails?: boolean } = {}) {
  const engagements = fakeEngagements();
  const out: string[] = [];
  const err: string[] = [];
  const connect = jest.fn(async () => {
    if (options.connectFails) throw new Error('Failed to connect before the deadline');
    return { engagements, close: async () => undefined };
  });
  const io: CliIo = {
    connect,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    isTTY: false,
    now: () => NOW,
  };
  const run = (...args: string[]) => runCli(args, io);
  return { engagements, out, err, connect, run, io };
}

describe('bad input exits 2 with one message naming each field, without connecting to Temporal', () => {
  const cases: [string, string[], string[]][] = [
    ['start without required flags', ['start'], ['--proposal']],
    [
      'start with a bad amount and date',
      ['start', '--proposal', 'p1', '--amount', 'ten', '--due', '2026-1-1'],
      ['--amount', '--due'],
    ],
    [
      'start with too many decimals and a negative budget',
      ['start', '--proposal', 'p1', '--amount', '1.001', '--budget', '-3', '--name', 'n'],
      ['--amount', '--budget'],
    ],
    [
      'start without a name or description',
      ['start', '--proposal', 'p1', '--amount', '5'],
      ['--description'],
    ],
    [
      'start with a policy that is not an object',
      ['start', '--proposal', 'p1', '--amount', '5', '--name', 'n', '--policy', '[1'],
      ['policy'],
    ],
    ['state of a non-engagement id', ['state', 'p_123'], ['engagementId']],
    ['state without an id', ['state'], ['engagementId']],
    [
      'list with an unknown phase and negative hours',
      ['list', '--phase', 'napping', '--expiring-within', '-2'],
      ['--phase', '--expiring-within'],
    ],
    [
      'milestone add with a zero amount',
      ['milestone', 'add', KNOWN_ID, '--description', 'x', '--amount', '0'],
      ['--amount'],
    ],
    [
      'milestone add without a description',
      ['milestone', 'add', KNOWN_ID, '--amount', '5'],
      ['--description'],
    ],
    ['milestone fund with a bad engagement id', ['milestone', 'fund', 'nope', 'm_1'], ['engagementId']],
    ['milestone fund with a blank milestone id', ['milestone', 'fund', KNOWN_ID, ' '], ['milestoneId']],
    ['milestone release without the milestone id', ['milestone', 'release', KNOWN_ID], ['milestoneId']],
    ['end with a bad id', ['end', 'x'], ['engagementId']],
    ['retry with a blank target', ['retry', KNOWN_ID, ''], ['approvalId']],
    ['recheck with a bad id', ['recheck', 'x'], ['engagementId']],
    ['confirm-not-fit with a bad id', ['confirm-not-fit', 'x'], ['engagementId']],
    ['an unknown command', ['hire'], ['hire']],
    ['end with a blank idempotency key', ['end', KNOWN_ID, '--idempotency-key', '  '], ['--idempotency-key']],
    [
      'milestone fund with a 201-character idempotency key',
      ['milestone', 'fund', KNOWN_ID, 'm_2', '--idempotency-key', 'k'.repeat(201)],
      ['--idempotency-key', 'at most 200'],
    ],
  ];

  it.each(cases)('%s', async (_what, args, mentions) => {
    const h = harness();
    const code = await h.run(...args);
    expect(code).toBe(2);
    expect(h.err).toHaveLength(1);
    for (const mention of mentions) expect(h.err[0]).toContain(mention);
    expect(h.connect).not.toHaveBeenCalled();
  });
});

describe('commands', () => {
  it('start prints only the engagement id (and JSON with --json)', async () => {
    const h = harness();
    const args = [
      'start',
      '--proposal',
      'p_9',
      '--description',
      'Label',
      '--amount',
      '12.50',
      '--due',
      '2026-03-01',
    ];
    expect(await h.run(...args)).toBe(0);
    expect(h.out).toEqual(['engagement-p_9']);
    expect(h.engagements.start).toHaveBeenCalledWith(
      expect.objectContaining({
        proposalId: 'p_9',
        firstMilestone: expect.objectContaining({ amountUsd: 12.5, dueDate: '2026-03-01' }),
      }),
      { idempotencyKey: expect.stringMatching(UUID) },
    );
    expect(await h.run(...args, '--json')).toBe(0);
    expect(JSON.parse(h.out[1] ?? '')).toEqual({
      engagementId: 'engagement-p_9',
      idempotencyKey: expect.stringMatching(UUID),
    });
  });

  it('state shows the phase, the milestone table, approvals with link and time left, and blockers with the fix', async () => {
    const h = harness();
    h.engagements.getState.mockResolvedValueOnce(
      sampleState({
        blockers: [{ kind: 'account_claim_required', message: 'Claim the account', url: 'https://claim' }],
      }),
    );
    expect(await h.run('state', KNOWN_ID)).toBe(0);
    const text = h.out.join('\n');
    expect(text).toContain('phase: active');
    expect(text).toMatch(/m_2\s+Label 500 items\s+\$80\.50\s+NOT_FUNDED/);
    expect(text).toContain('milestone_fund m_2: 2d 22h left  http://127.0.0.1:4010/approvals/apr_fund_2');
    expect(text).toContain('account_claim_required: Claim the account');
    expect(text).toContain('https://claim');
    expect(text).toContain(`engagements recheck ${KNOWN_ID}`);
  });

  it('state tells how to lift each blocker: confirm-not-fit for "Not a fit", recheck after fixing the others', async () => {
    const h = harness();
    h.engagements.getState.mockResolvedValueOnce(
      sampleState({
        phase: 'blocked',
        blockers: [
          { kind: 'not_fit_confirmation_required', message: 'The proposal is marked "Not a fit".' },
          { kind: 'payment_method_required', message: 'Add a card', url: 'https://billing' },
        ],
      }),
    );
    expect(await h.run('state', KNOWN_ID)).toBe(0);
    const lines = h.out.join('\n').split('\n');
    const after = (kind: string) => lines.slice(lines.findIndex((l) => l.includes(kind)) + 1);
    expect(after('not_fit_confirmation_required')[0]).toContain(
      `then: engagements confirm-not-fit ${KNOWN_ID}`,
    );
    expect(after('payment_method_required').slice(0, 2)).toEqual([
      '    → https://billing',
      `    then: engagements recheck ${KNOWN_ID}`,
    ]);
  });

  it('state --json prints the state document', async () => {
    const h = harness();
    expect(await h.run('state', KNOWN_ID, '--json')).toBe(0);
    expect(JSON.parse(h.out[0] ?? '')).toEqual(sampleState());
  });

  it('state --watch prints each change until the iterator ends', async () => {
    const h = harness();
    const states: EngagementState[] = [
      sampleState({ phase: 'awaiting_end_approval' }),
      sampleState({ phase: 'ended' }),
    ];
    h.engagements.watch.mockImplementation(async function* () {
      yield* states;
    });
    expect(await h.run('state', KNOWN_ID, '--watch', '--json')).toBe(0);
    expect(h.out.map((line) => JSON.parse(line).phase)).toEqual(['awaiting_end_approval', 'ended']);
  });

  it('list prints a table of engagements', async () => {
    const h = harness();
    expect(await h.run('list', '--phase', 'active', '--expiring-within', '48')).toBe(0);
    expect(h.engagements.list).toHaveBeenCalledWith({ phase: 'active', expiringWithinHours: 48 });
    expect(h.out[0]).toMatch(/ENGAGEMENT\s+PHASE/);
    expect(h.out[0]).toContain(KNOWN_ID);
  });

  it('milestone fund prints the approval link the human opens', async () => {
    const h = harness();
    expect(await h.run('milestone', 'fund', KNOWN_ID, 'm_2')).toBe(0);
    expect(h.engagements.fundMilestone).toHaveBeenCalledWith(KNOWN_ID, 'm_2', anyKey);
    expect(h.out.join('\n')).toContain('Waiting for the human: milestone_fund m_2');
  });

  it('milestone add passes every flag through', async () => {
    const h = harness();
    const args = [
      'milestone',
      'add',
      KNOWN_ID,
      '--description',
      'More',
      '--amount',
      '10',
      '--name',
      'N',
      '--fund',
    ];
    expect(await h.run(...args)).toBe(0);
    expect(h.engagements.addMilestone).toHaveBeenCalledWith(
      KNOWN_ID,
      { description: 'More', amountUsd: 10, name: 'N', fund: true },
      anyKey,
    );
  });

  it('retry sends a milestone id as milestoneId and anything else as approvalId', async () => {
    const h = harness();
    expect(await h.run('retry', KNOWN_ID, 'm_2')).toBe(0);
    expect(await h.run('retry', KNOWN_ID, 'apr_9')).toBe(0);
    expect(h.engagements.retry.mock.calls).toEqual([
      [KNOWN_ID, { milestoneId: 'm_2' }, anyKey],
      [KNOWN_ID, { approvalId: 'apr_9' }, anyKey],
    ]);
  });

  it('end, recheck and confirm-not-fit reach the engagement', async () => {
    const h = harness();
    expect(await h.run('end', KNOWN_ID)).toBe(0);
    expect(h.out[0]).toContain('phase: awaiting_end_approval');
    expect(await h.run('recheck', KNOWN_ID, '--json')).toBe(0);
    expect(JSON.parse(h.out[1] ?? '')).toEqual({
      engagementId: KNOWN_ID,
      recheckRequested: true,
      idempotencyKey: expect.stringMatching(UUID),
    });
    expect(await h.run('confirm-not-fit', KNOWN_ID)).toBe(0);
    expect(h.engagements.confirmNotFit).toHaveBeenCalledWith(KNOWN_ID, anyKey);
  });

  it('exits 3 for an unknown engagement and 4 with the reason when the engagement refuses', async () => {
    const h = harness();
    expect(await h.run('state', 'engagement-p_unknown')).toBe(3);
    expect(h.err[0]).toContain('No engagement with id engagement-p_unknown');
    expect(await h.run('milestone', 'fund', KNOWN_ID, 'm_over_budget', '--idempotency-key', 'k')).toBe(4);
    expect(h.err[1]).toBe('engagements: Rejected: would exceed the budget');
  });

  it('exits 1 with one clear line when Temporal is unreachable', async () => {
    const h = harness({ connectFails: true });
    expect(await h.run('state', KNOWN_ID)).toBe(1);
    expect(h.err).toEqual([expect.stringContaining('Cannot reach Temporal (TEMPORAL_ADDRESS)')]);
  });
});

describe('--idempotency-key', () => {
  const mutations: [
    string,
    string[],
    (e: ReturnType<typeof fakeEngagements>) => { mock: { calls: unknown[][] } },
  ][] = [
    ['start', ['start', '--proposal', 'p_9', '--name', 'Pilot', '--amount', '5'], (e) => e.start],
    [
      'milestone add',
      ['milestone', 'add', KNOWN_ID, '--description', 'More', '--amount', '10'],
      (e) => e.addMilestone,
    ],
    ['milestone fund', ['milestone', 'fund', KNOWN_ID, 'm_2'], (e) => e.fundMilestone],
    ['milestone release', ['milestone', 'release', KNOWN_ID, 'm_1'], (e) => e.releaseMilestone],
    ['end', ['end', KNOWN_ID], (e) => e.end],
    ['retry', ['retry', KNOWN_ID, 'm_2'], (e) => e.retry],
    ['recheck', ['recheck', KNOWN_ID], (e) => e.recheckPreconditions],
    ['confirm-not-fit', ['confirm-not-fit', KNOWN_ID], (e) => e.confirmNotFit],
    ['message send', ['message', 'send', KNOWN_ID, 'Brief'], (e) => e.sendMessage],
  ];

  it.each(mutations)(
    '%s hands the given key to the client and prints it with --json',
    async (_n, args, op) => {
      const h = harness();
      expect(await h.run(...args, '--idempotency-key', 'cli-key-1', '--json')).toBe(0);
      expect(op(h.engagements).mock.calls[0]?.at(-1)).toEqual({ idempotencyKey: 'cli-key-1' });
      expect(JSON.parse(h.out[0] ?? '')).toMatchObject({ idempotencyKey: 'cli-key-1' });
      expect(h.err).toEqual([]);
    },
  );

  it.each(mutations)(
    '%s makes one key per run, prints it with --json, and hints it on stderr in text',
    async (_n, args, op) => {
      const h = harness();
      expect(await h.run(...args, '--json')).toBe(0);
      expect(await h.run(...args, '--json')).toBe(0);
      const printed = h.out.map((line) => JSON.parse(line).idempotencyKey);
      const sent = op(h.engagements).mock.calls.map(
        (c) => (c.at(-1) as { idempotencyKey: string }).idempotencyKey,
      );
      expect(printed).toEqual([expect.stringMatching(UUID), expect.stringMatching(UUID)]);
      expect(sent).toEqual(printed);
      expect(printed[0]).not.toBe(printed[1]);
      expect(h.err).toEqual([]);

      const text = harness();
      expect(await text.run(...args)).toBe(0);
      const key = (op(text.engagements).mock.calls[0]?.at(-1) as { idempotencyKey: string }).idempotencyKey;
      expect(text.err).toEqual([`idempotency key: ${key}  (repeat with --idempotency-key to retry safely)`]);
    },
  );

  it('hints the key before the call, so a failed call can be repeated with it', async () => {
    const h = harness({ connectFails: true });
    expect(await h.run('end', KNOWN_ID)).toBe(1);
    expect(h.err[0]).toMatch(/^idempotency key: [0-9a-f-]{36} {2}\(repeat with --idempotency-key/);
    expect(h.err[1]).toContain('Cannot reach Temporal');
  });

  it('is offered by every mutating command and by no read', () => {
    const withKey = (command: Command, prefix: string[] = []): string[] =>
      command.commands.flatMap((c) =>
        c.commands.length > 0
          ? withKey(c, [...prefix, c.name()])
          : c.options.some((o) => o.long === '--idempotency-key')
            ? [[...prefix, c.name()].join(' ')]
            : [],
      );
    expect(withKey(buildProgram(harness().io)).sort()).toEqual(mutations.map(([name]) => name).sort());
  });
});

describe('--json on every command', () => {
  const commandLines: [string, string[]][] = [
    ['start', ['start', '--proposal', 'p_9', '--description', 'Label', '--amount', '5']],
    ['state', ['state', KNOWN_ID]],
    ['list', ['list']],
    ['milestone add', ['milestone', 'add', KNOWN_ID, '--description', 'More', '--amount', '10']],
    ['milestone fund', ['milestone', 'fund', KNOWN_ID, 'm_2']],
    ['milestone release', ['milestone', 'release', KNOWN_ID, 'm_1']],
    ['end', ['end', KNOWN_ID]],
    ['retry', ['retry', KNOWN_ID, 'm_2']],
    ['recheck', ['recheck', KNOWN_ID]],
    ['confirm-not-fit', ['confirm-not-fit', KNOWN_ID]],
    ['message send', ['message', 'send', KNOWN_ID, 'Brief']],
    ['message list', ['message', 'list', KNOWN_ID]],
    ['audit', ['audit', KNOWN_ID]],
  ];

  it('covers every command the CLI has', () => {
    const leaves = (command: Command, prefix: string[] = []): string[] =>
      command.commands.flatMap((c) =>
        c.commands.length > 0 ? leaves(c, [...prefix, c.name()]) : [[...prefix, c.name()].join(' ')],
      );
    expect(leaves(buildProgram(harness().io)).sort()).toEqual(commandLines.map(([name]) => name).sort());
  });

  it.each(commandLines)('%s prints exactly one JSON document instead of text', async (_name, args) => {
    const h = harness();
    expect(await h.run(...args, '--json')).toBe(0);
    expect(h.out).toHaveLength(1);
    expect(JSON.parse(h.out[0] ?? '')).toEqual(expect.any(Object));
    const text = harness();
    expect(await text.run(...args)).toBe(0);
    expect(() => JSON.parse(text.out.join('\n'))).toThrow();
  });
});

it('connects where TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE say, else to the local dev server', () => {
  expect(temporalSettingsFromEnv({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'prod' })).toEqual({
    address: 'temporal:7233',
    namespace: 'prod',
  });
  expect(temporalSettingsFromEnv({})).toEqual({ address: '127.0.0.1:7233', namespace: 'default' });
});
