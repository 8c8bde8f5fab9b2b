import type { Command } from 'commander';
import type { EngagementState, MilestoneView } from '../../../domain/engagement-view';
import { addMilestoneInputSchema, milestoneRefSchema } from '../../../domain/inputs';
import { parseInput } from '../../../domain/validation';
import { engagementIdArg, toNumber } from '../arguments';
import { engagementCommand, output, withEngagements } from '../context';
import type { CliIo, EngagementOperations, JsonOption } from '../context';
import { describeApproval, renderMilestone } from '../render';
import { idempotencyKeyFor, withIdempotencyKey } from './idempotency';
import type { IdempotencyOption } from './idempotency';

interface AddOptions extends IdempotencyOption {
  description: string;
  amount: number;
  name?: string;
  due?: string;
  fund?: boolean;
}

export function registerMilestone(program: Command, io: CliIo): void {
  const milestone = program.command('milestone').description('add, fund and release milestones');

  withIdempotencyKey(
    engagementCommand(
      milestone,
      'add',
      'create a milestone on the contract (and request its funding with --fund)',
    ),
  )
    .requiredOption('--description <text>', 'what the trainer delivers')
    .requiredOption('--amount <usd>', 'amount in US dollars', toNumber)
    .option('--name <text>', 'short name')
    .option('--due <YYYY-MM-DD>', 'due date')
    .option('--fund', 'request funding right away (a human co-signs)')
    .action(async (engagementId: string, options: AddOptions) => {
      const id = engagementIdArg(engagementId);
      const input = parseInput(
        addMilestoneInputSchema,
        {
          description: options.description,
          amountUsd: options.amount,
          name: options.name,
          dueDate: options.due,
          fund: options.fund,
        },
        'milestone',
      );
      const idempotencyKey = idempotencyKeyFor(io, options);
      await withEngagements(io, async (engagements) => {
        const created = await engagements.addMilestone(id, input, { idempotencyKey });
        const printed = { ...options, idempotencyKey };
        await report(io, printed, engagements, id, created, 'Created', created.fundApprovalId);
      });
    });

  for (const [action, verb] of [
    ['fund', 'Funding requested'],
    ['release', 'Release requested'],
  ] as const) {
    withIdempotencyKey(
      engagementCommand(milestone, action, `request the human's co-sign to ${action} a milestone`),
    )
      .argument('<milestoneId>')
      .action(async (engagementId: string, milestoneId: string, options: IdempotencyOption) => {
        const id = engagementIdArg(engagementId);
        const ref = parseInput(milestoneRefSchema, { milestoneId }, 'milestone reference');
        const idempotencyKey = idempotencyKeyFor(io, options);
        await withEngagements(io, async (engagements) => {
          const view =
            action === 'fund'
              ? await engagements.fundMilestone(id, ref.milestoneId, { idempotencyKey })
              : await engagements.releaseMilestone(id, ref.milestoneId, { idempotencyKey });
          const requested = action === 'fund' ? view.fundApprovalId : view.releaseApprovalId;
          await report(io, { ...options, idempotencyKey }, engagements, id, view, verb, requested);
        });
      });
  }
}

/** Prints the milestone and, when a co-sign was requested, the link the human opens and the time left. */
async function report(
  io: CliIo,
  options: JsonOption & { idempotencyKey: string },
  engagements: EngagementOperations,
  engagementId: string,
  view: MilestoneView,
  verb: string,
  requestedApprovalId: string | undefined,
): Promise<void> {
  const state: EngagementState | undefined = requestedApprovalId
    ? await engagements.getState(engagementId)
    : undefined;
  const waiting = state?.pendingApprovals.filter((a) => a.approvalId === requestedApprovalId) ?? [];
  output(
    io,
    options,
    { milestone: view, pendingApprovals: waiting, idempotencyKey: options.idempotencyKey },
    () =>
      [
        `${verb}: ${renderMilestone(view)}`,
        ...waiting.map((a) => `Waiting for the human: ${describeApproval(a, io.now())}`),
      ].join('\n'),
  );
}
