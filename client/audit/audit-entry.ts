import { z } from 'zod';
import { intentDoorSchema } from '../../domain/intents';

/**
 * One decision in an engagement's audit trail. Flat, so the same records serve JSON and CSV: what happened
 * (`kind`, `operation`), through which door and under which key, on which approval and milestone, the money
 * (after a human's edit, and before it when it was edited), the outcome and who decided.
 */
export const auditKindSchema = z.enum([
  /** A caller's request (an update or a keyed signal, or the start). */
  'intent',
  /** A request to OpenTrain that moves or could move money, or creates what money will move for. */
  'opentrain_request',
  /** The same move asked of the human again after its approval expired. */
  're_request',
  /** A human's answer to an approval: confirmed or declined. */
  'approval',
  /** An approval that ran out without an answer. */
  'expiry',
  'reminder',
  /** A move set aside until `retry`: declined, or expired past the policy's limit. */
  'park',
  /** Something the human was told besides approvals (a blocker, an access problem). */
  'notice',
  /** The workflow handed over to a new run with its whole state. */
  'continue_as_new',
]);

export const auditEntrySchema = z.object({
  seq: z.number().int().positive(),
  at: z.string(),
  /** 1 for the first run, 2 after the first continue-as-new, … */
  run: z.number().int().positive(),
  kind: auditKindSchema,
  operation: z.string().optional(),
  door: intentDoorSchema.optional(),
  idempotencyKey: z.string().optional(),
  approvalId: z.string().optional(),
  /** OpenTrain's approval type: proposal_hire, milestone_fund, milestone_approve, contract_end. */
  approvalType: z.string().optional(),
  milestoneId: z.string().optional(),
  amountUsd: z.number().optional(),
  /** What was asked for, when the human changed it before confirming. */
  amountBeforeEditUsd: z.number().optional(),
  feesUsd: z.number().optional(),
  outcome: z.string().optional(),
  /** `human` (in OpenTrain), `nobody (expired)`, `engagement` (the workflow itself), or the caller's door. */
  decidedBy: z.string().optional(),
  detail: z.string().optional(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

const usd = z.number();
export const auditTrailSchema = z.object({
  engagementId: z.string(),
  runs: z.array(z.string()).describe('Run ids, oldest first: the chain of continue-as-new runs'),
  entries: z.array(auditEntrySchema),
  /** Sums of the confirmed money moves in `entries`; minus what was refunded they are the state's totals. */
  totals: z.object({
    fundedUsd: usd.describe('Confirmed into escrow: the hire (after any edit) and each confirmed funding'),
    releasedUsd: usd.describe('Confirmed releases to the trainer'),
    feesUsd: usd.describe('Fees of the confirmed fundings (10% each, $9.95 with the hire)'),
    refundedUsd: usd.describe('Funded milestones the contract shows refunded or cancelled'),
    refundedFeesUsd: usd.describe('Their fees, which come back with them'),
  }),
  state: z.object({ fundedUsd: usd, releasedUsd: usd, feesUsd: usd }).describe("The state query's totals"),
});
export type AuditTrail = z.infer<typeof auditTrailSchema>;

/** The CSV columns, in order: every field of an entry. */
export const AUDIT_COLUMNS = Object.keys(auditEntrySchema.shape) as (keyof AuditEntry)[];
