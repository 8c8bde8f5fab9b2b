import { CommanderError } from 'commander';
import { EngagementNotFoundError, InputValidationError, UpdateRejectedError } from '../errors';

/** Exit codes, documented in `engagements --help`, so scripts and agents can branch without parsing text. */
export const EXIT = { ok: 0, failure: 1, invalidInput: 2, notFound: 3, rejected: 4 } as const;

export const EXIT_CODES_HELP = `
Exit codes: 0 ok, 1 failure (e.g. Temporal unreachable), 2 invalid input, 3 unknown engagement,
4 the engagement rejected the request (the reason is printed).
Connection: TEMPORAL_ADDRESS (default 127.0.0.1:7233), TEMPORAL_NAMESPACE (default "default").`;

/** Input fields as the CLI user typed them, so a validation error names the flag to fix. */
const FLAG_NAMES: Record<string, string> = {
  proposalId: '--proposal',
  'firstMilestone.amountUsd': '--amount',
  'firstMilestone.description': '--description',
  'firstMilestone.name': '--name',
  'firstMilestone.dueDate': '--due',
  budgetUsd: '--budget',
  amountUsd: '--amount',
  description: '--description',
  name: '--name',
  dueDate: '--due',
  phase: '--phase',
  expiringWithinHours: '--expiring-within',
};

/** `policy.pollIntervalMinMs` is the `pollIntervalMinMs` key of `--policy`; other paths map to their flag. */
function flagOf(path: string): string {
  if (path === 'policy') return '--policy';
  if (path.startsWith('policy.')) return `--policy ${path.slice('policy.'.length)}`;
  return FLAG_NAMES[path] ?? (path || 'input');
}

/** One clear line per failure, and the exit code that names its kind. */
export function describeFailure(err: unknown): { code: number; message: string } {
  if (err instanceof InputValidationError) {
    const fields = err.issues.map((i) => `${flagOf(i.path)}: ${i.message}`);
    return { code: EXIT.invalidInput, message: `Invalid input — ${fields.join('; ')}` };
  }
  if (err instanceof EngagementNotFoundError) return { code: EXIT.notFound, message: err.message };
  if (err instanceof UpdateRejectedError) return { code: EXIT.rejected, message: `Rejected: ${err.reason}` };
  // A command group run without its subcommand (`engagements`, `engagements milestone`): commander shows help.
  if (err instanceof CommanderError && err.code === 'commander.help')
    return { code: EXIT.invalidInput, message: 'a command is required' };
  if (err instanceof CommanderError)
    return { code: EXIT.invalidInput, message: err.message.replace(/^error: /, '') };
  const message = err instanceof Error ? err.message : String(err);
  if (/connect|ECONNREFUSED|UNAVAILABLE|deadline/i.test(message)) {
    return { code: EXIT.failure, message: `Cannot reach Temporal (TEMPORAL_ADDRESS): ${message}` };
  }
  return { code: EXIT.failure, message };
}
