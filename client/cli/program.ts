import { Command, CommanderError } from 'commander';
import { registerLifecycle } from './commands/lifecycle';
import { registerList } from './commands/list';
import { registerMilestone } from './commands/milestone';
import { registerStart } from './commands/start';
import { registerState } from './commands/state';
import type { CliIo } from './context';
import { describeFailure, EXIT, EXIT_CODES_HELP } from './exit-codes';

export function buildProgram(io: CliIo): Command {
  const program = new Command('engagements')
    .description(
      'Drive OpenTrain engagements: hire a trainer, fund and release milestones, end the contract.',
    )
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError(false)
    .configureOutput({ writeOut: (text) => io.stdout(text.trimEnd()), writeErr: () => undefined });
  registerStart(program, io);
  registerState(program, io);
  registerList(program, io);
  registerMilestone(program, io);
  registerLifecycle(program, io);
  // Every (sub)command throws instead of exiting, so one place decides the message and the exit code.
  const throwInstead = (command: Command) => {
    command.exitOverride();
    command.commands.forEach(throwInstead);
  };
  throwInstead(program);
  return program;
}

/** Runs one command line (without `node` and the script path) and returns the exit code. */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync(args, { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError && (err.exitCode === 0 || err.code === 'commander.help'))
      return err.exitCode;
    const { code, message } = describeFailure(err);
    io.stderr(`engagements: ${message}`);
    return code;
  }
}
