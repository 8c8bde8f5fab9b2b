/** The client library: what agents and services import to drive engagements. */
export {
  EngagementClient,
  engagementIdSchema,
  listFilterSchema,
  engagementSummarySchema,
} from './engagement-client';
export type { EngagementOperations, EngagementSummary, ListFilter, WatchOptions } from './engagement-client';
export { IDEMPOTENCY_KEY_MISMATCH, idempotencyKeySchema } from './idempotency-key';
export type { IdempotencyOptions } from './idempotency-key';
export { connectEngagementClient, temporalSettingsFromEnv } from './connection';
export type { ConnectedEngagementClient, TemporalSettings } from './connection';
export { EngagementNotFoundError, InputValidationError, UpdateRejectedError } from './errors';
export type { EngagementState, MilestoneView, PendingApproval } from '../domain/engagement-view';
export type { EngagementInput, AddMilestoneInput, RetryInput } from '../domain/inputs';
export { auditEntrySchema, auditTrailSchema } from './audit/audit-entry';
export type { AuditEntry, AuditTrail } from './audit/audit-entry';
export { auditToCsv } from './audit/csv';
