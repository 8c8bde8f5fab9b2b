import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  workflowInfo,
} from '@temporalio/workflow';
import { EngagementMachine } from '../domain/engagement-machine';
import type { EngagementSnapshot } from '../domain/engagement-model';
import type { EngagementState } from '../domain/engagement-view';
import { engagementInputSchema, engagementPolicySchema, type EngagementInput } from '../domain/inputs';
import { hireChargeCents, usdToCents } from '../domain/money';
import { fieldIssues } from '../domain/validation';
import { registerEngagementHandlers } from './engagement-handlers';
import { EngagementRuntime } from './engagement-runtime';
import { keepSearchAttributesPublished, publishSearchAttributes } from './engagement-search-attributes';

/** What a run receives: the caller's input, plus the whole state when an earlier run continued-as-new. */
export type EngagementWorkflowInput = EngagementInput & { carried?: EngagementSnapshot };

/**
 * One engagement, from the first precondition check to the ended contract: preconditions → hire approval →
 * contract → milestone loop (updates and signals) → end. Continues-as-new with its whole state when history
 * grows, and returns its final state.
 */
export async function engagementWorkflow(input: EngagementWorkflowInput): Promise<EngagementState> {
  const machine = input.carried ? EngagementMachine.restore(input.carried) : startMachine(input);
  const runtime = new EngagementRuntime(machine);
  registerEngagementHandlers(runtime);
  keepSearchAttributesPublished(machine);
  runtime.resumeFollowers();

  while (!machine.isTerminal()) {
    if (runtime.shouldContinueAsNew()) {
      await runtime.quiesce();
      if (machine.isTerminal()) break;
      const { carried: _previous, ...original } = input;
      return continueAsNew<typeof engagementWorkflow>({ ...original, carried: machine.snapshot });
    }
    if (!machine.contractId) await runtime.hireStep();
    else if (machine.contractStale) await runtime.refreshContract();
    else
      await condition(() => machine.isTerminal() || machine.contractStale || runtime.shouldContinueAsNew());
  }

  await runtime.settleEndedContract();
  await condition(allHandlersFinished);
  publishSearchAttributes(machine);
  return runtime.state();
}

function startMachine(input: EngagementInput): EngagementMachine {
  const parsed = engagementInputSchema.safeParse(input);
  if (!parsed.success) {
    const issues = fieldIssues(parsed.error).map((i) => `${i.path}: ${i.message}`);
    throw ApplicationFailure.nonRetryable(
      `Invalid engagement input: ${issues.join('; ')}`,
      'InvalidEngagementInput',
    );
  }
  const { proposalId, firstMilestone, budgetUsd, confirmNotFitOverride, policy } = parsed.data;
  const amountCents = usdToCents(firstMilestone.amountUsd);
  const budgetCents = budgetUsd === undefined ? undefined : usdToCents(budgetUsd);
  if (budgetCents !== undefined && hireChargeCents(amountCents) > budgetCents) {
    throw ApplicationFailure.nonRetryable(
      `The hire charge (first milestone + 10% + $9.95) exceeds the budget of $${budgetUsd}`,
      'budget_exceeded',
    );
  }
  return EngagementMachine.create(
    {
      engagementId: workflowInfo().workflowId,
      proposalId,
      policy: engagementPolicySchema.parse(policy ?? {}),
      budgetCents,
      firstMilestone: {
        name: firstMilestone.name,
        description: firstMilestone.description,
        amountCents,
        dueDate: firstMilestone.dueDate,
      },
      confirmNotFitOverride,
    },
    new Date(Date.now()).toISOString(),
  );
}
