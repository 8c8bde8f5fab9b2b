import { z } from 'zod';
import { intentDoorSchema } from './intents';
import { phaseSchema } from './phases';
import { threadMessageSchema } from './thread';

/**
 * What the `state` query returns: the public view of one engagement. Dollars here because it is read by
 * people and agents; the workflow keeps cents inside and projects to this shape.
 */

export const blockerSchema = z.object({
  /** e.g. account_claim_required, missing_scopes, missing_features, payment_method_required, credit_shortfall,
   * not_fit_confirmation_required */
  kind: z.string(),
  message: z.string(),
  url: z.string().optional(),
});
export type Blocker = z.infer<typeof blockerSchema>;

export const approvalKindSchema = z.enum(['hire', 'fund', 'release', 'end']);
export type ApprovalKind = z.infer<typeof approvalKindSchema>;

export const pendingApprovalSchema = z.object({
  approvalId: z.string(),
  /** OpenTrain's approval type: proposal_hire, milestone_fund, milestone_approve, contract_end. */
  type: z.string(),
  milestoneId: z.string().optional(),
  approvalUrl: z.string(),
  expiresAt: z.string(),
  /** 1 for the first request, 2 after the first re-request, and so on. */
  attempt: z.number().int().positive(),
});
export type PendingApproval = z.infer<typeof pendingApprovalSchema>;

/** An item whose approval expired past the policy's limit or was declined; it waits for a `retry`. */
export const parkedItemSchema = z.object({
  action: approvalKindSchema,
  milestoneId: z.string().optional(),
  approvalId: z.string(),
  reason: z.enum(['expired', 'declined']),
});
export type ParkedItem = z.infer<typeof parkedItemSchema>;

export const milestoneViewSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  description: z.string(),
  amountUsd: z.number(),
  /** OpenTrain's status string, kept open: NOT_FUNDED, ACTIVE_FUNDED, PAID, … */
  status: z.string(),
  dueDate: z.string().nullable().optional(),
  fundApprovalId: z.string().optional(),
  releaseApprovalId: z.string().optional(),
  evidence: z
    .object({
      invoiceId: z.string().optional(),
      paymentIntentId: z.string().optional(),
      payoutTransactionId: z.string().optional(),
    })
    .optional(),
});
export type MilestoneView = z.infer<typeof milestoneViewSchema>;

export const historyEntrySchema = z.object({ at: z.string(), kind: z.string(), detail: z.string() });
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

export const engagementStateSchema = z.object({
  engagementId: z.string(),
  phase: phaseSchema,
  proposalId: z.string(),
  jobId: z.string().optional(),
  contractId: z.string().optional(),
  jobDmConversationId: z.string().optional(),
  trainer: z.object({ displayName: z.string(), profilePath: z.string() }).optional(),
  blockers: z.array(blockerSchema),
  pendingApprovals: z.array(pendingApprovalSchema),
  parked: z.array(parkedItemSchema),
  milestones: z.array(milestoneViewSchema),
  budgetUsd: z.number().optional(),
  /** The engagement's money, from the milestones as OpenTrain last showed them (refunds included). */
  totals: z.object({
    fundedUsd: z
      .number()
      .describe(
        'Milestone amounts funded into escrow and not refunded or cancelled: still in escrow, or paid out. ' +
          'Once the contract has ended, unspent escrow is refunded, so this equals releasedUsd.',
      ),
    releasedUsd: z.number().describe('Milestone amounts paid out to the trainer.'),
    feesUsd: z
      .number()
      .describe(
        'Fees charged for the funded milestones counted in fundedUsd: 10% each, plus the $9.95 initiation ' +
          "with the hire's milestone; a refunded milestone's fees come back with it.",
      ),
  }),
  /** Why the engagement failed (phase `failed`), e.g. the hire was declined. */
  failureReason: z.string().optional(),
  /** Callers' requests under their keys (docs/intents.md): every open one, and the last settled ones. */
  intents: z
    .array(
      z.object({
        key: z.string(),
        kind: z.string(),
        via: z.enum(['update', 'signal']),
        door: intentDoorSchema.optional(),
        status: z.enum(['open', 'settled']),
        outcome: z.string().optional(),
        milestoneId: z.string().optional(),
        openedAt: z.string(),
        settledAt: z.string().optional(),
      }),
    )
    .optional(),
  /** The trainer's thread: its newest 50 messages (oldest first) and how many of the trainer's wait for us. */
  thread: z
    .object({
      conversationId: z.string(),
      messages: z.array(threadMessageSchema),
      unread: z.number().int().min(0),
    })
    .optional(),
  /** The last 50 events, oldest first. */
  history: z.array(historyEntrySchema),
  updatedAt: z.string(),
});
export type EngagementState = z.infer<typeof engagementStateSchema>;
