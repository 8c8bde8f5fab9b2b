import type { Command } from 'commander';
import { engagementInputSchema } from '../../../domain/inputs';
import { parseInput, rejectingUnknownKeys } from '../../../domain/validation';
import { toJsonObject, toNumber } from '../arguments';
import { output, withEngagements } from '../context';
import type { CliIo } from '../context';
import { idempotencyKeyFor, withIdempotencyKey } from './idempotency';
import type { IdempotencyOption } from './idempotency';

interface StartOptions extends IdempotencyOption {
  proposal: string;
  description?: string;
  amount: number;
  name?: string;
  due?: string;
  budget?: number;
  notFitOverride?: boolean;
  policy?: unknown;
}

export function registerStart(program: Command, io: CliIo): void {
  withIdempotencyKey(program.command('start'))
    .description('start (or find) the engagement for a proposal; prints the engagement id')
    .requiredOption('--proposal <id>', 'OpenTrain proposal id to hire')
    .option('--description <text>', 'first milestone description')
    .requiredOption('--amount <usd>', 'first milestone amount in US dollars', toNumber)
    .option('--name <text>', 'first milestone name')
    .option('--due <YYYY-MM-DD>', 'first milestone due date')
    .option('--budget <usd>', 'never fund beyond this, fees included', toNumber)
    .option('--not-fit-override', 'hire even if the proposal was marked "Not a fit"')
    .option('--policy <json>', 'policy overrides as JSON, e.g. {"pollIntervalMinMs":60000}', toJsonObject)
    .option('--json', 'machine-readable output')
    .action(async (options: StartOptions) => {
      // Strict: a misspelt --policy key must not pass silently.
      const input = parseInput(
        rejectingUnknownKeys(engagementInputSchema),
        {
          proposalId: options.proposal,
          firstMilestone: {
            name: options.name,
            description: options.description,
            amountUsd: options.amount,
            dueDate: options.due,
          },
          budgetUsd: options.budget,
          confirmNotFitOverride: options.notFitOverride,
          policy: options.policy,
        },
        'engagement',
      );
      const idempotencyKey = idempotencyKeyFor(io, options);
      const started = await withEngagements(io, (engagements) =>
        engagements.start(input, { idempotencyKey }),
      );
      output(io, options, { ...started, idempotencyKey }, () => started.engagementId);
    });
}
