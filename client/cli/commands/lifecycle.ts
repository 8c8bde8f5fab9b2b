import type { Command } from 'commander';
import type { EngagementState } from '../../../domain/engagement-view';
import { retryInputSchema } from '../../../domain/inputs';
import { parseInput } from '../../../domain/validation';
import { engagementIdArg } from '../arguments';
import { engagementCommand, output, withEngagements } from '../context';
import type { CliIo, EngagementOperations, JsonOption } from '../context';
import { renderState } from '../render';

/** end, retry, recheck and confirm-not-fit: each answers with the engagement's state. */
export function registerLifecycle(program: Command, io: CliIo): void {
  const printState = (options: JsonOption, state: EngagementState) =>
    output(io, options, state, () => renderState(state, io.now()));

  /** A command whose only input is the engagement id and whose answer is the engagement's state. */
  const stateCommand = (
    name: string,
    description: string,
    run: (engagements: EngagementOperations, id: string) => Promise<EngagementState>,
  ) =>
    engagementCommand(program, name, description).action(
      async (engagementId: string, options: JsonOption) => {
        const id = engagementIdArg(engagementId);
        printState(options, await withEngagements(io, (engagements) => run(engagements, id)));
      },
    );

  stateCommand('end', 'end the contract (a human co-signs when a milestone is still funded)', (e, id) =>
    e.end(id),
  );

  engagementCommand(program, 'retry', 'ask the human again for a parked (expired or declined) approval')
    .argument('<approvalIdOrMilestoneId>', 'a milestone id from the state, or an approval id')
    .action(async (engagementId: string, target: string, options: JsonOption) => {
      const id = engagementIdArg(engagementId);
      parseInput(retryInputSchema, { approvalId: target }, 'retry');
      const state = await withEngagements(io, async (engagements) => {
        // One positional id for people; the workflow wants to know which kind it is, and the state tells.
        const current = await engagements.getState(id);
        const isMilestone = current.milestones.some((m) => m.id === target);
        return engagements.retry(id, isMilestone ? { milestoneId: target } : { approvalId: target });
      });
      printState(options, state);
    });

  engagementCommand(program, 'recheck', 're-run the precondition checks now (after fixing a blocker)').action(
    async (engagementId: string, options: JsonOption) => {
      const id = engagementIdArg(engagementId);
      await withEngagements(io, (engagements) => engagements.recheckPreconditions(id));
      output(io, options, { engagementId: id, recheckRequested: true }, () => `Recheck requested for ${id}`);
    },
  );

  stateCommand(
    'confirm-not-fit',
    'hire although the proposal was marked "Not a fit" (clears that blocker)',
    (e, id) => e.confirmNotFit(id),
  );
}
