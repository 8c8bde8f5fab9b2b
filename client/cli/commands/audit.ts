import { Option } from 'commander';
import type { Command } from 'commander';
import { auditToCsv } from '../../audit/csv';
import { engagementIdArg } from '../arguments';
import { withEngagements } from '../context';
import type { CliIo } from '../context';

export function registerAudit(program: Command, io: CliIo): void {
  program
    .command('audit')
    .description(
      'every decision of an engagement in order: intents (door, key), requests to OpenTrain, approvals, ' +
        'expiries, reminders, parks, retries',
    )
    .argument('<engagementId>')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'csv']).default('csv'))
    .option('--json', 'the same as --format json, like every other command')
    .action(async (engagementId: string, options: { format: 'json' | 'csv'; json?: boolean }) => {
      const id = engagementIdArg(engagementId);
      const trail = await withEngagements(io, (engagements) => engagements.audit(id));
      const json = options.json || options.format === 'json';
      io.stdout(json ? JSON.stringify(trail, null, 2) : auditToCsv(trail).trimEnd());
    });
}
