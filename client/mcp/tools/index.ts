import type { EngagementTool } from '../tool';
import { confirmNotFit, endContract, recheckPreconditions, retry } from './contract-tools';
import { getEngagement, listEngagements, startEngagement, waitForEngagement } from './engagement-tools';
import { listMessages, sendMessage } from './message-tools';
import { addMilestone, fundMilestone, releaseMilestone } from './milestone-tools';

/** Every tool the MCP server offers; a new one is one more entry (see `EngagementTool`). */
export const engagementTools: readonly EngagementTool[] = [
  startEngagement,
  getEngagement,
  listEngagements,
  addMilestone,
  fundMilestone,
  releaseMilestone,
  endContract,
  retry,
  recheckPreconditions,
  confirmNotFit,
  sendMessage,
  listMessages,
  waitForEngagement,
];
