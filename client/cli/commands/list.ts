import type { Command } from 'commander';
import { listFilterSchema } from '../../engagement-client';
import { parseInput } from '../../../domain/validation';
import { toNumber } from '../arguments';
import { output, withEngagements } from '../context';
import type { CliIo, JsonOption } from '../context';
import { renderList } from '../render';

interface ListOptions extends JsonOption {
  phase?: string;
  expiringWithin?: number;
}

export function registerList(program: Command, io: CliIo): void {
  program
    .command('list')
    .description('list engagements, by phase or by approvals about to expire')
    .option('--phase <phase>', 'only engagements in this phase')
    .option(
      '--expiring-within <hours>',
      'only engagements with an approval expiring within this many hours',
      toNumber,
    )
    .option('--json', 'machine-readable output')
    .action(async (options: ListOptions) => {
      const filter = parseInput(
        listFilterSchema,
        { phase: options.phase, expiringWithinHours: options.expiringWithin },
        'list filter',
      );
      const summaries = await withEngagements(io, (engagements) => engagements.list(filter));
      output(io, options, summaries, () => renderList(summaries, io.now()));
    });
}
