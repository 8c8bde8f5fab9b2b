import { log, setHandler } from '@temporalio/workflow';
import type { z } from 'zod';
import {
  addMilestoneInputSchema,
  approvalResolvedSchema,
  confirmNotFitInputSchema,
  endContractInputSchema,
  milestoneRefSchema,
  openTrainEventNoticeSchema,
  recheckPreconditionsInputSchema,
  retryInputSchema,
} from '../domain/inputs';
import type { EngagementState, MilestoneView } from '../domain/engagement-view';
import { usdToCents } from '../domain/money';
import { parseInput } from '../domain/validation';
import type { EngagementRuntime } from './engagement-runtime';
import { toUpdateFailure, validating } from './failures';
import {
  addMilestoneSignal,
  addMilestoneUpdate,
  approvalResolvedSignal,
  confirmNotFitSignal,
  confirmNotFitUpdate,
  endContractSignal,
  endContractUpdate,
  fundMilestoneSignal,
  fundMilestoneUpdate,
  openTrainEventSignal,
  recheckPreconditionsSignal,
  releaseMilestoneSignal,
  releaseMilestoneUpdate,
  retrySignal,
  retryUpdate,
  stateQuery,
} from './messages';

/**
 * One operation, offered both as an update (validated synchronously so a rejected call leaves no trace in
 * history) and as a fire-and-forget signal (invalid input is dropped and logged).
 */
interface Operation<S extends z.ZodType, R> {
  schema: S;
  /** The state guards that can be known synchronously. */
  guard(input: z.output<S>): void;
  run(input: z.output<S>): Promise<R>;
}

/** Thin handlers: parse, guard, delegate to the runtime. */
export function registerEngagementHandlers(runtime: EngagementRuntime): void {
  const m = runtime.machine;

  setHandler(stateQuery, () => runtime.state());

  const addMilestone: Operation<typeof addMilestoneInputSchema, MilestoneView> = {
    schema: addMilestoneInputSchema,
    guard: (input) => m.checkAddMilestone(usdToCents(input.amountUsd), input.fund ?? false),
    run: (input) => runtime.addMilestone(input),
  };
  const fund: Operation<typeof milestoneRefSchema, MilestoneView> = {
    schema: milestoneRefSchema,
    guard: (input) => m.checkFund(input.milestoneId),
    run: (input) => runtime.fund(input.milestoneId),
  };
  const release: Operation<typeof milestoneRefSchema, MilestoneView> = {
    schema: milestoneRefSchema,
    guard: (input) => m.checkRelease(input.milestoneId),
    run: (input) => runtime.release(input.milestoneId),
  };
  const end: Operation<typeof endContractInputSchema, EngagementState> = {
    schema: endContractInputSchema,
    guard: () => m.checkEnd(),
    run: () => runtime.endContract(),
  };
  const retry: Operation<typeof retryInputSchema, EngagementState> = {
    schema: retryInputSchema,
    guard: (input) => m.checkRetry(input),
    run: (input) => runtime.retry(input),
  };
  const confirmNotFit: Operation<typeof confirmNotFitInputSchema, EngagementState> = {
    schema: confirmNotFitInputSchema,
    guard: () => m.checkConfirmNotFit(),
    run: () => runtime.confirmNotFit(),
  };

  setHandler(addMilestoneUpdate, updateHandler(addMilestone), { validator: validator(addMilestone) });
  setHandler(fundMilestoneUpdate, updateHandler(fund), { validator: validator(fund) });
  setHandler(releaseMilestoneUpdate, updateHandler(release), { validator: validator(release) });
  setHandler(endContractUpdate, updateHandler(end), { validator: validator(end) });
  setHandler(retryUpdate, updateHandler(retry), { validator: validator(retry) });
  setHandler(confirmNotFitUpdate, updateHandler(confirmNotFit), { validator: validator(confirmNotFit) });

  setHandler(addMilestoneSignal, signalHandler('addMilestone', addMilestone));
  setHandler(fundMilestoneSignal, signalHandler('fundMilestone', fund));
  setHandler(releaseMilestoneSignal, signalHandler('releaseMilestone', release));
  setHandler(endContractSignal, signalHandler('endContract', end));
  setHandler(retrySignal, signalHandler('retry', retry));
  setHandler(confirmNotFitSignal, signalHandler('confirmNotFit', confirmNotFit));

  setHandler(recheckPreconditionsSignal, (input) => {
    if (!accepts('recheckPreconditions', recheckPreconditionsInputSchema, input)) return;
    m.requestRecheck(runtime.now());
  });

  setHandler(approvalResolvedSignal, (input) => {
    if (!accepts('approvalResolved', approvalResolvedSchema, input)) return;
    const outcome = m.noteResolution(input.approvalId, input.status);
    if (outcome === 'stale' || outcome === 'unknown') {
      log.info(`approvalResolved ignored: ${outcome} approval id`, {
        approvalId: input.approvalId,
        status: input.status,
      });
    }
  });

  setHandler(openTrainEventSignal, (input) => {
    if (!accepts('openTrainEvent', openTrainEventNoticeSchema, input)) return;
    const ours =
      (input.contractId !== undefined && input.contractId === m.contractId) ||
      (input.milestoneId !== undefined && m.milestone(input.milestoneId) !== undefined);
    if (ours) m.markContractStale();
  });

  function validator<S extends z.ZodType, R>(op: Operation<S, R>) {
    return (input: unknown) => validating(() => op.guard(parseInput(op.schema, input)));
  }

  function updateHandler<S extends z.ZodType, R>(op: Operation<S, R>) {
    return async (input: unknown): Promise<R> => {
      try {
        return await op.run(parseInput(op.schema, input));
      } catch (err) {
        throw toUpdateFailure(err);
      }
    };
  }

  function signalHandler<S extends z.ZodType, R>(name: string, op: Operation<S, R>) {
    const note = (kind: 'signal_rejected' | 'signal_failed', err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      log.warn(`${name} signal ${kind === 'signal_rejected' ? 'dropped' : 'failed'}: ${message}`);
      m.record(runtime.now(), kind, `${name}: ${message}`);
    };
    return async (input: unknown): Promise<void> => {
      let parsed: z.output<S>;
      try {
        parsed = parseInput(op.schema, input);
        op.guard(parsed);
      } catch (err) {
        return note('signal_rejected', err);
      }
      try {
        await op.run(parsed);
      } catch (err) {
        // Accepted, then failed on the way (e.g. a milestone created whose funding could not be requested).
        note('signal_failed', err);
      }
    };
  }
}

function accepts<S extends z.ZodType>(name: string, schema: S, input: unknown): input is z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) log.warn(`${name} signal dropped: invalid input`, { issues: result.error.issues });
  return result.success;
}
