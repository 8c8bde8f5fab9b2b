import { runCli } from '../../client/cli/program';
import type { CliIo } from '../../client/cli/context';
import { fakeEngagements, KNOWN_ID } from './fake-engagements';

function harness() {
  const engagements = fakeEngagements();
  const out: string[] = [];
  const err: string[] = [];
  const connect = jest.fn(async () => ({ engagements, close: async () => undefined }));
  const io: CliIo = {
    connect,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    isTTY: false,
    now: () => 0,
  };
  return { out, err, connect, run: (...args: string[]) => runCli(args, io) };
}

const START = ['start', '--proposal', 'p_1', '--name', 'Pilot', '--amount', '120'];

describe('usage mistakes print the usage and exit 2, without connecting', () => {
  it.each([
    ['no command at all', [], 'a command is required', 'Usage: engagements [options] [command]'],
    [
      'milestone without its subcommand',
      ['milestone'],
      'a command is required',
      'Usage: engagements milestone',
    ],
    [
      'a missing argument',
      ['milestone', 'fund', KNOWN_ID],
      "missing required argument 'milestoneId'",
      'Usage: engagements milestone fund',
    ],
    [
      'a missing option',
      ['start'],
      "required option '--proposal <id>' not specified",
      'Usage: engagements start',
    ],
    ['an unknown command', ['hire'], "unknown command 'hire'", 'Commands:'],
    ['an unknown option', ['list', '--fast'], "unknown option '--fast'", 'Usage: engagements list'],
  ])('%s', async (_what, args, message, usage) => {
    const h = harness();
    expect(await h.run(...args)).toBe(2);
    expect(h.err).toHaveLength(1);
    expect(h.err[0]).toContain(`engagements: ${message}`);
    expect(h.err[0]).toContain(usage);
    expect(h.out).toEqual([]);
    expect(h.connect).not.toHaveBeenCalled();
  });

  it('prints asked-for help on stdout and exits 0', async () => {
    for (const args of [['--help'], ['help'], ['milestone', '--help']]) {
      const h = harness();
      expect(await h.run(...args)).toBe(0);
      expect(h.out.join('\n')).toContain('Usage: engagements');
      expect(h.err).toEqual([]);
    }
  });
});

describe('bad values are named by their flag, exit 2, and never connect', () => {
  it.each([
    ['--policy that is not JSON', [...START, '--policy', '{bad json'], ['--policy', 'Not valid JSON']],
    [
      '--amount in hex',
      ['start', '--proposal', 'p_1', '--name', 'n', '--amount', '0x10'],
      ['--amount: must be a number of US dollars'],
    ],
    [
      '--amount below a cent',
      ['start', '--proposal', 'p_1', '--name', 'n', '--amount', '0.001'],
      ['--amount: must have at most 2 decimals'],
    ],
    [
      '--expiring-within in exponent notation',
      ['list', '--expiring-within', '1e2'],
      ['--expiring-within: must be a number of hours'],
    ],
    [
      '--budget below the hire charge',
      [...START, '--budget', '100'],
      ['--budget: must cover the hire charge of $141.95 (first milestone + 10% + $9.95)'],
    ],
    [
      'a hostile --policy',
      [
        ...START,
        '--policy',
        '{"pollIntervalMinMs":1,"preconditionRecheckMs":1,"continueAsNewAfterEvents":1}',
      ],
      [
        '--policy pollIntervalMinMs: must be at least 5000 ms (5 seconds)',
        '--policy preconditionRecheckMs: must be at least 60000 ms (1 minute)',
        '--policy continueAsNewAfterEvents: must be at least 1000 events',
      ],
    ],
    [
      'a misspelt --policy key',
      [...START, '--policy', '{"pollIntervalMinMS":60000}'],
      ['--policy pollIntervalMinMS: is not a known field'],
    ],
    [
      'a 201-character proposal',
      ['start', '--proposal', 'p'.repeat(201), '--name', 'n', '--amount', '5'],
      ['--proposal: must be at most 200 characters'],
    ],
    [
      'an over-long engagement id',
      ['state', `engagement-${'p'.repeat(201)}`],
      ['engagementId: must be at most 211 characters'],
    ],
  ])('%s', async (_what, args, mentions) => {
    const h = harness();
    expect(await h.run(...args)).toBe(2);
    expect(h.err).toHaveLength(1);
    for (const mention of mentions) expect(h.err[0]).toContain(mention);
    expect(h.connect).not.toHaveBeenCalled();
  });

  it('accepts a budget of exactly the hire charge and an in-bounds policy', async () => {
    const h = harness();
    const policy = '{"pollIntervalMinMs":5000,"preconditionRecheckMs":60000,"continueAsNewAfterEvents":1000}';
    expect(await h.run(...START, '--budget', '141.95', '--policy', policy)).toBe(0);
    expect(h.out).toEqual(['engagement-p_1']);
  });
});
