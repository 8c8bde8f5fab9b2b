import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  AddMilestoneInput,
  ApprovalResolved,
  ConfirmNotFitInput,
  EndContractInput,
  MilestoneRef,
  OpenTrainEventNotice,
  RecheckPreconditionsInput,
  RetryInput,
} from '../domain/inputs';
import type { EngagementState, MilestoneView } from '../domain/engagement-view';

/** The engagement workflow's messages, defined once and imported by every client. */

export const stateQuery = defineQuery<EngagementState>('state');

/** Updates: validated in the workflow's validator, so a rejected one leaves no trace in history. */
export const addMilestoneUpdate = defineUpdate<MilestoneView, [AddMilestoneInput]>('addMilestone');
export const fundMilestoneUpdate = defineUpdate<MilestoneView, [MilestoneRef]>('fundMilestone');
export const releaseMilestoneUpdate = defineUpdate<MilestoneView, [MilestoneRef]>('releaseMilestone');
export const endContractUpdate = defineUpdate<EngagementState, [EndContractInput]>('endContract');
export const retryUpdate = defineUpdate<EngagementState, [RetryInput]>('retry');
export const confirmNotFitUpdate = defineUpdate<EngagementState, [ConfirmNotFitInput]>('confirmNotFit');

/** The same operations as fire-and-forget signals, for callers that cannot wait. */
export const addMilestoneSignal = defineSignal<[AddMilestoneInput]>('addMilestoneSignal');
export const fundMilestoneSignal = defineSignal<[MilestoneRef]>('fundMilestoneSignal');
export const releaseMilestoneSignal = defineSignal<[MilestoneRef]>('releaseMilestoneSignal');
export const endContractSignal = defineSignal<[EndContractInput]>('endContractSignal');
export const retrySignal = defineSignal<[RetryInput]>('retrySignal');
export const confirmNotFitSignal = defineSignal<[ConfirmNotFitInput]>('confirmNotFitSignal');

export const recheckPreconditionsSignal = defineSignal<[RecheckPreconditionsInput]>('recheckPreconditions');

/** From event ingestion (`updatesFeedWorkflow`). */
export const approvalResolvedSignal = defineSignal<[ApprovalResolved]>('approvalResolved');
export const openTrainEventSignal = defineSignal<[OpenTrainEventNotice]>('openTrainEvent');
