import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  workflowInfo,
} from '@temporalio/workflow';
import { EngagementMachine } from '../domain/engagement-machine';
import type { EngagementSnapshot } from '../domain/engagement-model';
import type { EngagementState } from '../domain/engagement-view';
import { engagementInputSchema, engagementPolicySchema, type EngagementInput } from '../domain/inputs';
import { usdToCents } from '../domain/money';
import { fieldIssues } from '../domain/validation';
import { registerEngagementHandlers } from './engagement-handlers';
import { hireStep } from './engagement-hire-step';
import { EngagementRuntime } from './engagement-runtime';
import { keepSearchAttributesPublished, publishSearchAttributes } from './engagement-search-attributes';

/** What a run receives: the caller's input, plus the whole state when an earlier run continued-as-new. */
export type EngagementWorkflowInput = EngagementInput & { carried?: EngagementSnapshot };

/** Versioning: runs recorded before the contract was re-read on a timer while active. */
const ACTIVE_CONTRACT_RECHECK_PATCH = 'active-contract-recheck';
/** How often an active contract is read even when no event says it changed (cancellations, refunds). */
const DEFAULT_CONTRACT_RECHECK_MS = 6 * 60 * 60 * 1000;

/**
 * One engagement, from the first precondition check to the ended contract: preconditions → hire approval →
 * contract → milestone loop (intents from updates and signals) → end. Continues-as-new with its whole state
 * when history grows, and returns its final state. The query and the handlers are registered before anything
 * can fail, so even a refused start stays readable.
 */
export async function engagementWorkflow(input: EngagementWorkflowInput): Promise<EngagementState> {
  const started = input.carried ? { machine: EngagementMachine.restore(input.carried) } : startMachine(input);
  const machine = started.machine;
  const runtime = new EngagementRuntime(machine);
  machine.adoptUntrackedApprovals(runtime.now());
  registerEngagementHandlers(runtime);
  keepSearchAttributesPublished(machine);
  if ('refusal' in started) {
    publishSearchAttributes(machine);
    throw started.refusal;
  }

  try {
    while (!machine.isTerminal()) {
      if (runtime.shouldContinueAsNew()) {
        await runtime.quiesce();
        if (machine.isTerminal()) break;
        const { carried: _previous, ...original } = input;
        return continueAsNew<typeof engagementWorkflow>({ ...original, carried: machine.snapshot });
      }
      const wake = () => machine.isTerminal() || machine.contractStale || runtime.shouldContinueAsNew();
      if (!machine.contractId) await hireStep(runtime);
      else if (machine.contractStale) await runtime.refreshContract();
      // Awaited right here (not in a helper) so recorded runs see the same order of commands.
      else if (!patched(ACTIVE_CONTRACT_RECHECK_PATCH)) await condition(wake);
      else if (!(await condition(wake, machine.policy.contractRecheckMs ?? DEFAULT_CONTRACT_RECHECK_MS)))
        machine.markContractStale(); // the periodic re-read: nothing said it changed, look anyway
    }
    await runtime.settleEndedContract();
    await condition(allHandlersFinished);
  } catch (err) {
    if (isCancellation(err)) await recordCancellation(runtime);
    throw err;
  }
  publishSearchAttributes(machine);
  return runtime.state();
}

/** Cancelled: send nothing new, record what is still open on OpenTrain and tell the human. */
async function recordCancellation(runtime: EngagementRuntime): Promise<void> {
  await CancellationScope.nonCancellable(async () => {
    const m = runtime.machine;
    const open = m.pendingApprovals();
    m.cancelled(runtime.now());
    publishSearchAttributes(m);
    if (!open.length) return;
    await runtime.tell({
      kind: 'cancelled',
      message: `Engagement cancelled. Still open on OpenTrain (decline them in the app if no longer wanted): ${open
        .map((p) => `${runtime.describe(p)} — ${p.approvalUrl}`)
        .join('; ')}`,
      approvalUrl: open[0]?.approvalUrl,
    });
  });
}

/** A refused start keeps a readable state (phase `failed`, with the reason) and then fails the run. */
function startMachine(input: EngagementInput): { machine: EngagementMachine; refusal?: ApplicationFailure } {
  const now = new Date(Date.now()).toISOString();
  const parsed = engagementInputSchema.safeParse(input);
  if (!parsed.success) {
    const issues = fieldIssues(parsed.error).map((i) => `${i.path}: ${i.message}`);
    return refused(input, now, `Invalid engagement input: ${issues.join('; ')}`, 'InvalidEngagementInput');
  }
  const { proposalId, firstMilestone, budgetUsd, confirmNotFitOverride, policy } = parsed.data;
  const amountCents = usdToCents(firstMilestone.amountUsd);
  // The schema already refused a budget below the hire charge, at every door and here.
  const budgetCents = budgetUsd === undefined ? undefined : usdToCents(budgetUsd);
  const machine = EngagementMachine.create(
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
    now,
  );
  return { machine };
}

function refused(
  input: EngagementInput,
  now: string,
  reason: string,
  type: string,
): { machine: EngagementMachine; refusal: ApplicationFailure } {
  const machine = EngagementMachine.create(
    {
      engagementId: workflowInfo().workflowId,
      proposalId: typeof input?.proposalId === 'string' ? input.proposalId : '',
      policy: engagementPolicySchema.parse({}),
      firstMilestone: { amountCents: 0 },
    },
    now,
  );
  machine.fail(now, reason);
  return { machine, refusal: ApplicationFailure.nonRetryable(reason, type) };
}
