import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes (no PII). Register them on every namespace that runs engagements:
 * `temporal operator search-attribute create --name EngagementPhase --type Keyword` (and so on);
 * our dev-server helpers pass them with `--search-attribute`.
 */
export const EngagementPhase = defineSearchAttributeKey('EngagementPhase', SearchAttributeType.KEYWORD);
export const OpenTrainProposalId = defineSearchAttributeKey(
  'OpenTrainProposalId',
  SearchAttributeType.KEYWORD,
);
export const OpenTrainContractId = defineSearchAttributeKey(
  'OpenTrainContractId',
  SearchAttributeType.KEYWORD,
);
/** Earliest `expiresAt` among the engagement's pending approvals; unset when none is pending. */
export const NextApprovalExpiry = defineSearchAttributeKey(
  'NextApprovalExpiry',
  SearchAttributeType.DATETIME,
);

export const ENGAGEMENT_SEARCH_ATTRIBUTES = [
  EngagementPhase,
  OpenTrainProposalId,
  OpenTrainContractId,
  NextApprovalExpiry,
] as const;
