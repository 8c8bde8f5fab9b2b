import { Command, CommanderError } from 'commander';
import { registerAudit } from './commands/audit';
import { registerLifecycle } from './commands/lifecycle';
import { registerList } from './commands/list';
import { registerMessage } from './commands/message';
import { registerMilestone } from './commands/milestone';
import { registerStart } from './commands/start';
import { registerState } from './commands/state';
import type { CliIo } from './context';
import { describeFailure, EXIT, EXIT_CODES_HELP } from './exit-codes';

/**
 * The `engagements` program. Commander's own output: help asked for goes to stdout; usage after a mistake goes
 * to `writeUsage` (stderr by default), its error line is left to `runCli`, which prints one message per failure.
 */
export function buildProgram(
  io: CliIo,
  writeUsage: (text: string) => void = (t) => io.stderr(t.trimEnd()),
): Command {
  const program = new Command('engagements')
    .description(
      'Drive OpenTrain engagements: hire a trainer, fund and release milestones, end the contract.',
    )
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError(true)
    .configureOutput({
      writeOut: (text) => io.stdout(text.trimEnd()),
      writeErr: writeUsage,
      outputError: () => undefined,
    });
  registerStart(program, io);
  registerState(program, io);
  registerList(program, io);
  registerMilestone(program, io);
  registerLifecycle(program, io);
  registerMessage(program, io);
  registerAudit(program, io);
  // Every (sub)command throws instead of exiting, so one place decides the message and the exit code.
  const throwInstead = (command: Command) => {
    command.exitOverride();
    command.commands.forEach(throwInstead);
  };
  throwInstead(program);
  return program;
}

/**
 * Runs one command line (without `node` and the script path) and returns the exit code. A usage mistake (no
 * command, an unknown one, a missing argument or option) prints its message and then the usage of the command
 * concerned, in one write to stderr, and exits 2.
 */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  const usage: string[] = [];
  try {
    await buildProgram(io, (text) => void usage.push(text)).parseAsync(args, { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    // `--help` and `help` print to stdout and succeed.
    if (err instanceof CommanderError && err.exitCode === 0) return EXIT.ok;
    const { code, message } = describeFailure(err);
    io.stderr([`engagements: ${message}`, usage.join('').trim()].filter(Boolean).join('\n\n'));
    return code;
  }
}
