import { z } from 'zod';
import { usdToCents } from '../domain/money';
import { claimedField, idOrNull, MESSAGE_PAGE_KEYS, milestoneDescription } from './gaps';

/**
 * Wire schemas of the OpenTrain responses we read (docs/opentrain-api.md#endpoints). Objects are loose: unknown
 * fields are accepted and kept. Enums the docs leave open (statuses, types) are plain strings. Dollar amounts are
 * turned into integer cents here, so every exported type is already in our shape.
 */

const isoTimestamp = z.iso.datetime({ offset: true });
/** Documented as midnight UTC timestamps; a date-only value is accepted too (it is what we send). */
const dueDate = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);
const usd = z.number();
const cents = z.int();
const record = z.record(z.string(), z.unknown());

function optionalUsdToCents(usdAmount: number | null | undefined): number | null {
  return usdAmount === null || usdAmount === undefined ? null : usdToCents(usdAmount);
}

// ---------------------------------------------------------------------------------------------- account

export const meSchema = z.looseObject({
  actor: z.looseObject({
    userId: z.string(),
    email: z.string().nullish(),
    fullName: z.string().nullish(),
    userType: z.string().nullish(),
  }),
  token: z.looseObject({
    id: z.string(),
    label: z.string().nullish(),
    scopes: z.array(z.string()),
  }),
  account: z.looseObject({
    kind: z.string().optional(),
    organizationId: z.string().nullish(),
    claimed: claimedField,
    claimUrl: z.string().optional(),
  }),
});
export type Me = z.infer<typeof meSchema>;

export const capabilitiesSchema = z.looseObject({
  featureKey: z.string().optional(),
  rolloutMode: z.string().optional(),
  capabilities: z.record(z.string(), z.boolean()),
  enabled: z.boolean(),
});
export type Capabilities = z.infer<typeof capabilitiesSchema>;

export const ledgerEntrySchema = z.looseObject({
  id: z.string(),
  /** Open enum: TOP_UP, HOLD, HOLD_RELEASE, CAPTURE, REFUND, ADJUSTMENT, … */
  type: z.string(),
  /** Signed: positive adds to the available balance. */
  amountCents: cents,
  createdAt: isoTimestamp,
  holdEntryId: idOrNull,
  jobofferId: idOrNull,
  contractId: idOrNull,
  milestoneId: idOrNull,
  topUpId: idOrNull,
  note: z.string().nullish(),
});
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;

export const creditsSchema = z.looseObject({
  availableCents: cents,
  reservedCents: cents,
  currency: z.string(),
  recentEntries: z.array(ledgerEntrySchema),
});
export type Credits = z.infer<typeof creditsSchema>;
export const creditsResponse = z.object({ credits: creditsSchema }).transform((body) => body.credits);

// ---------------------------------------------------------------------------------------------- approvals

export const approvalSchema = z.looseObject({
  id: z.string(),
  /** Open enum: proposal_hire, milestone_fund, milestone_approve, contract_end. */
  type: z.string(),
  /** Open enum: pending, confirmed, declined, expired. */
  status: z.string(),
  contractId: idOrNull,
  milestoneId: idOrNull,
  jobId: idOrNull,
  proposalId: idOrNull,
  approvalUrl: z.string(),
  expiresAt: isoTimestamp,
  resolvedAt: isoTimestamp.nullable(),
  /** Execution evidence once confirmed (contractId, invoiceId, paymentIntentId, payoutTransactionId…). */
  result: record.nullable(),
  createdAt: isoTimestamp,
});
export type Approval = z.infer<typeof approvalSchema>;

/** The 202 body of every co-signed request. */
export const approvalEnvelopeSchema = z.looseObject({ approval: approvalSchema, message: z.string() });
export type ApprovalEnvelope = z.infer<typeof approvalEnvelopeSchema>;

export const approvalResponse = z.object({ approval: approvalSchema }).transform((body) => body.approval);

// ---------------------------------------------------------------------------------------------- contracts

export const milestoneSchema = z
  .looseObject({
    id: z.string(),
    name: z.string().nullable(),
    description: milestoneDescription,
    /** Open enum: NOT_FUNDED, ACTIVE_FUNDED, and undocumented others (PAID, CANCELLED…). */
    status: z.string(),
    /** Null on volume-priced milestones that carry no amount. */
    amountUsd: usd.nullable(),
    volume: z.number().nullable(),
    milestoneNumber: z.int(),
    dueDate: dueDate.nullable(),
    pendingApproval: z.boolean(),
    needsReview: z.boolean(),
    invoiceId: z.string().nullable(),
    createdAt: isoTimestamp,
  })
  .transform(({ amountUsd, ...milestone }) => ({ ...milestone, amountCents: optionalUsdToCents(amountUsd) }));
export type Milestone = z.infer<typeof milestoneSchema>;

const freelancerSchema = z.looseObject({
  userId: z.string(),
  displayName: z.string(),
  country: z.string().nullish(),
  profilePath: z.string(),
});

const contractFields = {
  id: z.string(),
  /** Open enum: active, ended. */
  status: z.string(),
  title: z.string(),
  jobId: z.string(),
  proposalId: z.string(),
  /** Open enum: FIXED_PRICE, PAY_PER_HOUR, PAY_PER_LABEL. */
  paymentType: z.string(),
  /** A unit rate in dollars (see gaps.ts: rates may be finer than a cent). */
  rateUsd: usd.nullish(),
  estimatedTotalUsd: usd.nullish(),
  estimatedVolume: z.number().nullish(),
  hasActiveMilestone: z.boolean().optional(),
  startDate: isoTimestamp.nullable(),
  endDate: isoTimestamp.nullable(),
  createdAt: isoTimestamp.optional(),
  updatedAt: isoTimestamp.optional(),
  freelancer: freelancerSchema,
  milestones: z.array(milestoneSchema),
};

export const contractSchema = z
  .looseObject(contractFields)
  .transform(({ estimatedTotalUsd, ...contract }) => ({
    ...contract,
    estimatedTotalCents: optionalUsdToCents(estimatedTotalUsd),
  }));
export type Contract = z.infer<typeof contractSchema>;

export const budgetSchema = z
  .looseObject({
    contractId: z.string(),
    paymentType: z.string(),
    /** Open enum: OK, LOW, DEPLETED. */
    state: z.string(),
    fundedVolume: z.number().optional(),
    fundedAmountUsd: usd,
    consumed: record.optional(),
    consumedVolume: z.number().optional(),
    remainingVolume: z.number().optional(),
    consumedFraction: z.number().optional(),
    activeMilestone: z
      .looseObject({
        id: z.string(),
        name: z.string().nullable(),
        amountUsd: usd.nullable(),
        volume: z.number().nullable(),
        status: z.string(),
      })
      .transform(({ amountUsd, ...milestone }) => ({
        ...milestone,
        amountCents: optionalUsdToCents(amountUsd),
      }))
      .nullish(),
    lastUsageAt: isoTimestamp.nullish(),
  })
  .transform(({ fundedAmountUsd, ...budget }) => ({
    ...budget,
    fundedAmountCents: usdToCents(fundedAmountUsd),
  }));
export type Budget = z.infer<typeof budgetSchema>;

export const contractDetailSchema = z
  .looseObject({ ...contractFields, jobDmConversationId: idOrNull, budget: budgetSchema.nullish() })
  .transform(({ estimatedTotalUsd, ...contract }) => ({
    ...contract,
    estimatedTotalCents: optionalUsdToCents(estimatedTotalUsd),
  }));
export type ContractDetail = z.infer<typeof contractDetailSchema>;

export const contractsResponse = z
  .object({ contracts: z.array(contractSchema) })
  .transform((body) => body.contracts);
export const contractResponse = z
  .object({ contract: contractDetailSchema })
  .transform((body) => body.contract);
export const milestoneResponse = z.object({ milestone: milestoneSchema }).transform((body) => body.milestone);

/** 200 of `POST /contracts/{id}/end` when nothing was funded. */
export const contractEndedSchema = z
  .looseObject({ ok: z.boolean().optional(), contractId: z.string(), status: z.literal('ended') })
  .transform(({ contractId, status }) => ({ kind: 'ended' as const, contractId, status }));

export const contractEndApprovalSchema = approvalEnvelopeSchema.transform(({ approval, message }) => ({
  kind: 'approval' as const,
  approval,
  message,
}));

export type EndContractResult =
  z.infer<typeof contractEndedSchema> | z.infer<typeof contractEndApprovalSchema>;

// ---------------------------------------------------------------------------------------------- payments, messages

export const pendingPaymentSchema = z
  .looseObject({
    id: z.string(),
    /** Open enum: PENDING_FUNDING, PENDING_PAYOUT. */
    status: z.string(),
    invoiceKind: z.string(),
    viewerRole: z.string().optional(),
    amountUsd: usd,
    createdAt: isoTimestamp,
    invoiceNumber: z.int().nullish(),
    job: z.looseObject({ id: z.string(), title: z.string().nullish() }).nullish(),
    milestone: z.looseObject({ id: z.string(), name: z.string().nullish() }).nullish(),
  })
  .transform(({ amountUsd, ...payment }) => ({ ...payment, amountCents: usdToCents(amountUsd) }));
export type PendingPayment = z.infer<typeof pendingPaymentSchema>;
export const pendingPaymentsResponse = z
  .object({ payments: z.array(pendingPaymentSchema) })
  .transform((body) => body.payments);

export const messageSchema = z.looseObject({
  id: z.string(),
  conversationId: z.string(),
  content: z.string(),
  senderUserId: z.string().nullish(),
  jobId: idOrNull,
  isFromViewer: z.boolean().optional(),
  createdAt: isoTimestamp,
});
export type Message = z.infer<typeof messageSchema>;
export const sentMessageResponse = z.object({ message: messageSchema }).transform((body) => body.message);

/** One page of a thread in message mode; `nextCursor` null at the end. */
export const messagesPageSchema = z
  .looseObject({ nextCursor: z.string().nullish() })
  .transform((body, ctx) => {
    const raw = body as Record<string, unknown>;
    const key = MESSAGE_PAGE_KEYS.find((k) => Array.isArray(raw[k]));
    const parsed = z.array(messageSchema).safeParse(key ? raw[key] : undefined);
    if (!parsed.success) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a message list under ${MESSAGE_PAGE_KEYS.join('/')}`,
      });
      return z.NEVER;
    }
    return { messages: parsed.data, nextCursor: body.nextCursor ?? null };
  });
export type MessagesPage = z.infer<typeof messagesPageSchema>;

// ---------------------------------------------------------------------------------------------- events, webhooks

export const platformEventSchema = z.looseObject({
  /** A numeric string, increasing with time; the `/updates` cursor. */
  id: z.string().regex(/^\d+$/, { error: 'must be a numeric string' }),
  type: z.string(),
  apiVersion: z.string(),
  createdAt: isoTimestamp,
  resourceId: idOrNull,
  jobId: idOrNull,
  /** IDs only, never content (docs/opentrain-api.md#events). */
  data: record,
});
export type PlatformEvent = z.infer<typeof platformEventSchema>;

export const updatesPageSchema = z.looseObject({
  events: z.array(platformEventSchema),
  /** Null only when there has never been an event and no cursor was sent. */
  nextCursor: z.string().nullable(),
  hasMore: z.boolean(),
});
export type UpdatesPage = z.infer<typeof updatesPageSchema>;

export const webhookSchema = z.looseObject({
  id: z.string(),
  url: z.string(),
  eventTypes: z.array(z.string()),
  /** Open enum: ACTIVE, DISABLED. */
  status: z.string(),
  createdAt: isoTimestamp,
  disabledAt: isoTimestamp.nullish().transform((at) => at ?? null),
  disabledReason: z
    .string()
    .nullish()
    .transform((reason) => reason ?? null),
});
export type Webhook = z.infer<typeof webhookSchema>;

/** The secret is returned once, here; callers store it and never log it. */
export const createdWebhookResponse = z
  .object({ webhook: webhookSchema, secret: z.string().min(1) })
  .transform(({ webhook, secret }) => ({ webhook, secret }));
export type CreatedWebhook = z.infer<typeof createdWebhookResponse>;
export const webhooksResponse = z
  .object({ webhooks: z.array(webhookSchema) })
  .transform((body) => body.webhooks);
export const webhookResponse = z.object({ webhook: webhookSchema }).transform((body) => body.webhook);

// ---------------------------------------------------------------------------------------------- errors

/** The error envelope of every non-2xx answer (docs/opentrain-api.md#errors); read leniently: it is a failure. */
export const errorEnvelopeSchema = z.looseObject({
  error: z.string().optional(),
  code: z.string(),
  requestId: z.string().optional(),
  details: record.optional(),
});
