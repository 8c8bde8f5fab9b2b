import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  AddMilestoneInput,
  ApprovalResolved,
  ConfirmNotFitInput,
  EndContractInput,
  MilestoneRef,
  MessageReceivedNotice,
  OpenTrainEventNotice,
  RecheckPreconditionsInput,
  RetryInput,
} from '../domain/inputs';
import type { EngagementState, MilestoneView } from '../domain/engagement-view';
import type { SendMessageInput, ThreadMessage } from '../domain/thread';

/** The engagement workflow's messages, defined once and imported by every client. */

export const stateQuery = defineQuery<EngagementState>('state');

/** Updates: validated in the workflow's validator, so a rejected one leaves no trace in history. */
export const addMilestoneUpdate = defineUpdate<MilestoneView, [AddMilestoneInput]>('addMilestone');
export const fundMilestoneUpdate = defineUpdate<MilestoneView, [MilestoneRef]>('fundMilestone');
export const releaseMilestoneUpdate = defineUpdate<MilestoneView, [MilestoneRef]>('releaseMilestone');
export const endContractUpdate = defineUpdate<EngagementState, [EndContractInput]>('endContract');
export const retryUpdate = defineUpdate<EngagementState, [RetryInput]>('retry');
export const confirmNotFitUpdate = defineUpdate<EngagementState, [ConfirmNotFitInput]>('confirmNotFit');
/** A message into the contract's thread; answers the message once OpenTrain shows it. */
export const sendMessageUpdate = defineUpdate<ThreadMessage, [SendMessageInput]>('sendMessage');

/** A signal's argument with its optional intent key: signals with one key are one intent (docs/intents.md). */
export type Keyed<T> = T & { idempotencyKey?: string };

/** The same operations as fire-and-forget signals, for callers that cannot wait. */
export const addMilestoneSignal = defineSignal<[Keyed<AddMilestoneInput>]>('addMilestoneSignal');
export const fundMilestoneSignal = defineSignal<[Keyed<MilestoneRef>]>('fundMilestoneSignal');
export const releaseMilestoneSignal = defineSignal<[Keyed<MilestoneRef>]>('releaseMilestoneSignal');
export const endContractSignal = defineSignal<[Keyed<EndContractInput>]>('endContractSignal');
export const retrySignal = defineSignal<[Keyed<RetryInput>]>('retrySignal');
export const confirmNotFitSignal = defineSignal<[Keyed<ConfirmNotFitInput>]>('confirmNotFitSignal');

export const recheckPreconditionsSignal =
  defineSignal<[Keyed<RecheckPreconditionsInput>]>('recheckPreconditions');

/** From event ingestion (`updatesFeedWorkflow`). */
export const approvalResolvedSignal = defineSignal<[ApprovalResolved]>('approvalResolved');
export const openTrainEventSignal = defineSignal<[OpenTrainEventNotice]>('openTrainEvent');
/** A message arrived in a thread (`message.received`): the engagement whose contract thread it is reads it. */
export const messageReceivedSignal = defineSignal<[MessageReceivedNotice]>('messageReceived');
