import type { Command } from 'commander';
import type { EngagementState } from '../../../domain/engagement-view';
import { retryInputSchema } from '../../../domain/inputs';
import { parseInput } from '../../../domain/validation';
import { engagementIdArg } from '../arguments';
import { engagementCommand, output, withEngagements } from '../context';
import type { CliIo, EngagementOperations } from '../context';
import { renderState } from '../render';
import { idempotencyKeyFor, withIdempotencyKey } from './idempotency';
import type { IdempotencyOption } from './idempotency';

/** end, retry, recheck and confirm-not-fit: each answers with the engagement's state. */
export function registerLifecycle(program: Command, io: CliIo): void {
  const printState = (options: IdempotencyOption, idempotencyKey: string, state: EngagementState) =>
    output(io, options, { ...state, idempotencyKey }, () => renderState(state, io.now()));

  /** A mutation about one engagement, with `--idempotency-key`. */
  const mutation = (name: string, description: string) =>
    withIdempotencyKey(engagementCommand(program, name, description));

  /** A command whose only input is the engagement id and whose answer is the engagement's state. */
  const stateCommand = (
    name: string,
    description: string,
    run: (engagements: EngagementOperations, id: string, idempotencyKey: string) => Promise<EngagementState>,
  ) =>
    mutation(name, description).action(async (engagementId: string, options: IdempotencyOption) => {
      const id = engagementIdArg(engagementId);
      const key = idempotencyKeyFor(io, options);
      printState(options, key, await withEngagements(io, (engagements) => run(engagements, id, key)));
    });

  stateCommand(
    'end',
    'end the contract (a human co-signs when a milestone is still funded)',
    (e, id, idempotencyKey) => e.end(id, { idempotencyKey }),
  );

  mutation('retry', 'ask the human again for a parked (expired or declined) approval')
    .argument('<approvalIdOrMilestoneId>', 'a milestone id from the state, or an approval id')
    .action(async (engagementId: string, target: string, options: IdempotencyOption) => {
      const id = engagementIdArg(engagementId);
      parseInput(retryInputSchema, { approvalId: target }, 'retry');
      const idempotencyKey = idempotencyKeyFor(io, options);
      const state = await withEngagements(io, async (engagements) => {
        // One positional id for people; the workflow wants to know which kind it is, and the state tells.
        const current = await engagements.getState(id);
        const isMilestone = current.milestones.some((m) => m.id === target);
        const input = isMilestone ? { milestoneId: target } : { approvalId: target };
        return engagements.retry(id, input, { idempotencyKey });
      });
      printState(options, idempotencyKey, state);
    });

  mutation('recheck', 're-run the precondition checks now (after fixing a blocker)').action(
    async (engagementId: string, options: IdempotencyOption) => {
      const id = engagementIdArg(engagementId);
      const idempotencyKey = idempotencyKeyFor(io, options);
      await withEngagements(io, (engagements) => engagements.recheckPreconditions(id, { idempotencyKey }));
      output(
        io,
        options,
        { engagementId: id, recheckRequested: true, idempotencyKey },
        () => `Recheck requested for ${id}`,
      );
    },
  );

  stateCommand(
    'confirm-not-fit',
    'hire although the proposal was marked "Not a fit" (clears that blocker)',
    (e, id, idempotencyKey) => e.confirmNotFit(id, { idempotencyKey }),
  );
}
