import type { Command } from 'commander';
import { engagementIdArg } from '../arguments';
import { engagementCommand, output, withEngagements } from '../context';
import type { CliIo, JsonOption } from '../context';
import { renderState } from '../render';

interface StateOptions extends JsonOption {
  watch?: boolean;
}

/** Clears a terminal and homes the cursor, so `--watch` redraws in place. */
const CLEAR_SCREEN = '\x1b[2J\x1b[H';

export function registerState(program: Command, io: CliIo): void {
  engagementCommand(
    program,
    'state',
    'show where an engagement stands: phase, milestones, approvals waiting, blockers',
    'machine-readable output (one JSON document per change with --watch)',
  )
    .option('--watch', 'redraw on every change until the engagement ends (Ctrl-C to stop)')
    .action(async (engagementId: string, options: StateOptions) => {
      const id = engagementIdArg(engagementId);
      await withEngagements(io, async (engagements) => {
        if (!options.watch) {
          const state = await engagements.getState(id);
          output(io, options, state, () => renderState(state, io.now()));
          return;
        }
        for await (const state of engagements.watch(id, { signal: io.signal })) {
          if (options.json) io.stdout(JSON.stringify(state));
          else io.stdout((io.isTTY ? CLEAR_SCREEN : '\n') + renderState(state, io.now()));
        }
      });
    });
}
