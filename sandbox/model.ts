import { z } from 'zod';
import { FEATURES, PAYMENT_TYPES, SCOPES } from './catalog';

/**
 * The sandbox's whole state, as persisted to SANDBOX_STATE_FILE. Money in integer cents, times as ISO strings
 * of the sandbox clock. Wire shapes (dollars, masked views) are built from this in wire.ts.
 */

const iso = z.string();
const maskedFreelancerSchema = z.object({
  userId: z.string(),
  displayName: z.string(),
  country: z.string(),
  profilePath: z.string(),
});

export const accountSchema = z.object({
  id: z.string(),
  token: z.string(),
  tokenId: z.string(),
  userId: z.string(),
  organizationId: z.string(),
  claimed: z.boolean(),
  scopes: z.array(z.enum(SCOPES)),
  features: z.array(z.enum(FEATURES)),
  cardOnFile: z.boolean(),
  availableCents: z.number().int(),
  reservedCents: z.number().int(),
  createdAt: iso,
});
export type Account = z.infer<typeof accountSchema>;

export const jobSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  title: z.string(),
  createdAt: iso,
});
export type Job = z.infer<typeof jobSchema>;

export const proposalSchema = z.object({
  id: z.string(),
  jobId: z.string(),
  accountId: z.string(),
  status: z.enum(['UNREVIEWED', 'NOT_A_FIT', 'HIRED']),
  paymentType: z.enum(PAYMENT_TYPES),
  rateCents: z.number().int().nullable(),
  freelancer: maskedFreelancerSchema,
  createdAt: iso,
});
export type Proposal = z.infer<typeof proposalSchema>;

export const contractSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  jobId: z.string(),
  proposalId: z.string(),
  title: z.string(),
  paymentType: z.enum(PAYMENT_TYPES),
  rateCents: z.number().int().nullable(),
  status: z.enum(['active', 'ended']),
  startDate: iso,
  endDate: iso.nullable(),
  createdAt: iso,
  updatedAt: iso,
  freelancer: maskedFreelancerSchema,
  jobDmConversationId: z.string(),
});
export type Contract = z.infer<typeof contractSchema>;

export const milestoneSchema = z.object({
  id: z.string(),
  contractId: z.string(),
  name: z.string().nullable(),
  description: z.string(),
  status: z.string(),
  amountCents: z.number().int(),
  volume: z.number().nullable(),
  milestoneNumber: z.number().int(),
  dueDate: iso.nullable(),
  invoiceId: z.string().nullable(),
  /** The credits HOLD backing this milestone's escrow, when it was paid from credits. */
  holdEntryId: z.string().nullable(),
  createdAt: iso,
});
export type Milestone = z.infer<typeof milestoneSchema>;

export const hireTermsSchema = z.object({
  name: z.string().nullable(),
  description: z.string().nullable(),
  amountCents: z.number().int(),
  dueDate: iso.nullable(),
});
export type HireTerms = z.infer<typeof hireTermsSchema>;

export const APPROVAL_TYPES = [
  'proposal_hire',
  'milestone_fund',
  'milestone_approve',
  'contract_end',
] as const;
export type ApprovalType = (typeof APPROVAL_TYPES)[number];

export const approvalSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  type: z.enum(APPROVAL_TYPES),
  status: z.enum(['pending', 'confirmed', 'declined', 'expired']),
  contractId: z.string().nullable(),
  milestoneId: z.string().nullable(),
  jobId: z.string(),
  proposalId: z.string().nullable(),
  /** What a hire asks for; the human may edit it before confirming. */
  terms: hireTermsSchema.nullable(),
  /** The FUNDING invoice a fund request is waiting on. */
  invoiceId: z.string().nullable(),
  expiresAt: iso,
  resolvedAt: iso.nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
  createdAt: iso,
});
export type Approval = z.infer<typeof approvalSchema>;

export const invoiceSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  invoiceNumber: z.number().int(),
  status: z.enum(['PENDING_FUNDING', 'PAID', 'VOID']),
  amountCents: z.number().int(),
  jobId: z.string(),
  contractId: z.string(),
  milestoneId: z.string(),
  createdAt: iso,
});
export type Invoice = z.infer<typeof invoiceSchema>;

export const ledgerEntrySchema = z.object({
  id: z.string(),
  accountId: z.string(),
  type: z.enum(['TOP_UP', 'HOLD', 'HOLD_RELEASE', 'CAPTURE', 'REFUND', 'ADJUSTMENT']),
  amountCents: z.number().int(),
  createdAt: iso,
  holdEntryId: z.string().nullable(),
  jobofferId: z.string().nullable(),
  contractId: z.string().nullable(),
  milestoneId: z.string().nullable(),
  topUpId: z.string().nullable(),
  note: z.string().nullable(),
});
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;

export const conversationSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  jobId: z.string(),
  contractId: z.string(),
});
export type Conversation = z.infer<typeof conversationSchema>;

export const messageSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  senderUserId: z.string(),
  content: z.string(),
  createdAt: iso,
  /** A trainer's message the account has not read in message mode yet (absent in older state files). */
  unread: z.boolean().optional(),
});
export type Message = z.infer<typeof messageSchema>;

export const eventSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  type: z.string(),
  createdAt: iso,
  resourceId: z.string(),
  jobId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});
export type StoredEvent = z.infer<typeof eventSchema>;

export const webhookSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  url: z.string(),
  eventTypes: z.array(z.string()),
  secret: z.string(),
  status: z.enum(['ACTIVE', 'DISABLED']),
  createdAt: iso,
  disabledAt: iso.nullable(),
  disabledReason: z.string().nullable(),
  consecutiveFailures: z.number().int(),
});
export type Webhook = z.infer<typeof webhookSchema>;

export const sandboxStateSchema = z.object({
  version: z.literal(1),
  clockOffsetMs: z.number(),
  lastEventId: z.number().int(),
  lastInvoiceNumber: z.number().int(),
  accounts: z.record(z.string(), accountSchema),
  jobs: z.record(z.string(), jobSchema),
  proposals: z.record(z.string(), proposalSchema),
  contracts: z.record(z.string(), contractSchema),
  milestones: z.record(z.string(), milestoneSchema),
  approvals: z.record(z.string(), approvalSchema),
  invoices: z.record(z.string(), invoiceSchema),
  ledger: z.array(ledgerEntrySchema),
  conversations: z.record(z.string(), conversationSchema),
  messages: z.array(messageSchema),
  events: z.array(eventSchema),
  webhooks: z.record(z.string(), webhookSchema),
});

export type SandboxState = z.infer<typeof sandboxStateSchema>;

export function emptyState(): SandboxState {
  return {
    version: 1,
    clockOffsetMs: 0,
    lastEventId: 1000,
    lastInvoiceNumber: 1000,
    accounts: {},
    jobs: {},
    proposals: {},
    contracts: {},
    milestones: {},
    approvals: {},
    invoices: {},
    ledger: [],
    conversations: {},
    messages: [],
    events: [],
    webhooks: {},
  };
}
