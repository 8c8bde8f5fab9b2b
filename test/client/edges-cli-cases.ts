import fc from 'fast-check';
import { POLICY_BOUNDS } from '../../domain/policy';
import { phaseSchema } from '../../domain/phases';
import { badEngagementId } from './edges-arbitraries';
import { KNOWN_ID } from './fake-engagements';

/**
 * Command lines with one mistake each, and what the one stderr line must mention to name it: the flag, the
 * positional argument, or commander's word for a missing command.
 */
export interface CliCase {
  args: string[];
  mention: string;
}

const badNumber = fc.constantFrom(
  'ten',
  '0x10',
  '1e2',
  '',
  '-1',
  '0',
  '0.001',
  '1000000.01',
  '1.2.3',
  ' 5',
  'Infinity',
  '.',
);
const badHours = fc.constantFrom('ten', '0x10', '1e2', '', '-1', '0', '1.2.3', ' 5', 'Infinity', '.', '9000');
const blank = fc.constantFrom('', ' ', '\t\n ');
const longText = fc.integer({ min: 201, max: 260 }).map((n) => 'x'.repeat(n));
const badId = fc.oneof(blank, longText);
const badDate = fc.constantFrom('2026-1-1', '2026-02-30', 'tomorrow', '');
const positionalEngagementId = badEngagementId.filter((id) => !id.startsWith('-'));

const START = { proposal: 'p_1', name: 'Pilot', amount: '120' };
const flags = (values: Record<string, string>) =>
  Object.entries(values).map(([flag, value]) => `--${flag}=${value}`);
const start = (overrides: Record<string, string>) => ['start', ...flags({ ...START, ...overrides })];

const POLICY_FIELDS = Object.keys(POLICY_BOUNDS).filter((k) => k !== 'reminderOffsetsMs') as Exclude<
  keyof typeof POLICY_BOUNDS,
  'reminderOffsetsMs'
>[];

const badPolicy: fc.Arbitrary<CliCase> = fc.oneof(
  fc
    .constantFrom('{bad json', '{', "{'a':1}", 'nul', '[1', '[1]', '5', '"x"', 'null', 'true')
    .map((policy) => ({
      args: start({ policy }),
      mention: '--policy',
    })),
  fc.tuple(fc.constantFrom(...POLICY_FIELDS), fc.boolean()).map(([field, below]) => {
    const { min, max } = POLICY_BOUNDS[field];
    return {
      args: start({ policy: JSON.stringify({ [field]: below ? min - 1 : max + 1 }) }),
      mention: `--policy ${field}`,
    };
  }),
  fc
    .stringMatching(/^[a-z][a-zA-Z]{0,10}$/)
    .filter((key) => !(key in POLICY_BOUNDS) && key !== 'constructor')
    .map((key) => ({ args: start({ policy: JSON.stringify({ [key]: 1 }) }), mention: `--policy ${key}` })),
);

const phases: readonly string[] = phaseSchema.options;

export const cliCase: fc.Arbitrary<CliCase> = fc.oneof(
  // A bad engagement id on every command that takes one.
  fc
    .tuple(
      positionalEngagementId,
      fc.constantFrom<[string[], string[]]>(
        [['state'], []],
        [['end'], []],
        [['recheck'], []],
        [['confirm-not-fit'], []],
        [['retry'], ['m_2']],
        [['milestone', 'fund'], ['m_2']],
        [['milestone', 'release'], ['m_2']],
        [
          ['milestone', 'add'],
          ['--description=More', '--amount=10'],
        ],
      ),
    )
    .map(([id, [command, rest]]) => ({ args: [...command, id, ...rest], mention: 'engagementId' })),
  badId.map((proposal) => ({ args: start({ proposal }), mention: '--proposal' })),
  badNumber.map((amount) => ({ args: start({ amount }), mention: '--amount' })),
  fc
    .oneof(badNumber, fc.constantFrom('100', '141.94'))
    .map((budget) => ({ args: start({ budget }), mention: '--budget' })),
  badDate.map((due) => ({ args: start({ due }), mention: '--due' })),
  fc.oneof(blank, longText).map((name) => ({ args: start({ name }), mention: '--name' })),
  blank.map((description) => ({ args: start({ description }), mention: '--description' })),
  badPolicy,
  fc
    .stringMatching(/^[a-z_]{1,12}$/)
    .filter((phase) => !phases.includes(phase))
    .map((phase) => ({ args: ['list', `--phase=${phase}`], mention: '--phase' })),
  badHours.map((hours) => ({ args: ['list', `--expiring-within=${hours}`], mention: '--expiring-within' })),
  fc
    .constantFrom<[string, fc.Arbitrary<string>]>(
      ['amount', badNumber],
      ['description', blank],
      ['due', badDate],
      ['name', fc.oneof(blank, longText)],
    )
    .chain(([flag, values]) =>
      values.map((value) => ({
        args: ['milestone', 'add', KNOWN_ID, ...flags({ description: 'More', amount: '10', [flag]: value })],
        mention: `--${flag}`,
      })),
    ),
  fc
    .tuple(fc.constantFrom('fund', 'release'), badId)
    .map(([action, id]) => ({ args: ['milestone', action, KNOWN_ID, id], mention: 'milestoneId' })),
  badId.map((target) => ({ args: ['retry', KNOWN_ID, target], mention: 'approvalId' })),
  // Missing pieces: a required option or argument, the command, or a group's subcommand.
  fc.constantFrom<CliCase>(
    { args: ['start', ...flags({ name: 'Pilot', amount: '120' })], mention: '--proposal' },
    { args: ['start', ...flags({ proposal: 'p_1', name: 'Pilot' })], mention: '--amount' },
    { args: ['milestone', 'add', KNOWN_ID, '--amount=10'], mention: '--description' },
    { args: ['milestone', 'add', KNOWN_ID, '--description=More'], mention: '--amount' },
    { args: ['milestone', 'fund', KNOWN_ID], mention: 'milestoneId' },
    { args: ['retry', KNOWN_ID], mention: 'approvalIdOrMilestoneId' },
    { args: ['state'], mention: 'engagementId' },
    { args: [], mention: 'a command is required' },
    { args: ['milestone'], mention: 'a command is required' },
    { args: ['hire'], mention: "unknown command 'hire'" },
  ),
);
