import { inspect } from 'node:util';
import { centsToUsd } from '../domain/money';
import { clientOptionsFromEnv, resolveClientOptions, type OpenTrainClientOptions } from './config';
import { END_CONTRACT_APPROVAL_STATUS } from './gaps';
import { OpenTrainHttp, type RequestOptions } from './http';
import {
  approvalEnvelopeSchema,
  approvalResponse,
  capabilitiesSchema,
  contractEndApprovalSchema,
  contractEndedSchema,
  contractResponse,
  contractsResponse,
  createdWebhookResponse,
  creditsResponse,
  meSchema,
  milestoneResponse,
  pendingPaymentsResponse,
  sentMessageResponse,
  updatesPageSchema,
  webhookResponse,
  webhooksResponse,
  type Approval,
  type ApprovalEnvelope,
  type Capabilities,
  type Contract,
  type ContractDetail,
  type CreatedWebhook,
  type Credits,
  type EndContractResult,
  type Me,
  type Message,
  type Milestone,
  type PendingPayment,
  type UpdatesPage,
  type Webhook,
} from './schemas';

export interface HireRequest {
  milestone: { name?: string; description?: string; amountCents: number; dueDate?: string };
  /** Confirms hiring a proposal marked "Not a fit" (after a 409 not_fit_confirmation_required). */
  confirmNotFitOverride?: boolean;
}

export interface CreateMilestoneRequest {
  description: string;
  name?: string;
  /** Required on FIXED_PRICE contracts. */
  amountCents?: number;
  /** Hours or labels; required on PAY_PER_HOUR / PAY_PER_LABEL contracts. */
  volume?: number;
  dueDate?: string;
}

const id = (value: string) => encodeURIComponent(value);

/**
 * Typed client of the OpenTrain Public API (REFERENCE.md). Amounts are integer cents on this side and dollars on
 * the wire. Every method makes exactly one request and never retries; failures are OpenTrainApiError (with
 * `retryable`) or OpenTrainResponseError. The token is held privately and never printed.
 */
export class OpenTrainClient {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly #http: OpenTrainHttp;

  constructor(options: OpenTrainClientOptions) {
    const resolved = resolveClientOptions(options);
    this.baseUrl = resolved.baseUrl;
    this.timeoutMs = resolved.timeoutMs;
    this.#http = new OpenTrainHttp(resolved);
  }

  /** From OPENTRAIN_API_BASE_URL, OPENTRAIN_API_TOKEN / OT_API_TOKEN, OPENTRAIN_API_TIMEOUT_MS. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): OpenTrainClient {
    return new OpenTrainClient(clientOptionsFromEnv(env));
  }

  getMe(options?: RequestOptions): Promise<Me> {
    return this.#http.request({ method: 'GET', path: '/auth/me', schema: meSchema, ...options });
  }

  getCapabilities(options?: RequestOptions): Promise<Capabilities> {
    return this.#http.request({
      method: 'GET',
      path: '/job-drafts/capabilities',
      schema: capabilitiesSchema,
      ...options,
    });
  }

  getCredits(options?: RequestOptions): Promise<Credits> {
    return this.#http.request({ method: 'GET', path: '/credits', schema: creditsResponse, ...options });
  }

  /** Co-signed: 202 with a `proposal_hire` approval; the same pending approval for the same terms. */
  hireProposal(proposalId: string, body: HireRequest, options?: RequestOptions): Promise<ApprovalEnvelope> {
    const { amountCents, ...milestone } = body.milestone;
    return this.#http.request({
      method: 'POST',
      path: `/proposals/${id(proposalId)}/hire`,
      body: {
        milestone: { ...milestone, amount: centsToUsd(amountCents) },
        ...(body.confirmNotFitOverride === undefined
          ? {}
          : { confirmNotFitOverride: body.confirmNotFitOverride }),
      },
      schema: approvalEnvelopeSchema,
      ...options,
    });
  }

  getApproval(approvalId: string, options?: RequestOptions): Promise<Approval> {
    return this.#http.request({
      method: 'GET',
      path: `/approvals/${id(approvalId)}`,
      schema: approvalResponse,
      ...options,
    });
  }

  listContracts(
    query: { jobId?: string; status?: 'active' | 'ended' } = {},
    options?: RequestOptions,
  ): Promise<Contract[]> {
    return this.#http.request({
      method: 'GET',
      path: '/contracts',
      query: { jobId: query.jobId, status: query.status },
      schema: contractsResponse,
      ...options,
    });
  }

  getContract(contractId: string, options?: RequestOptions): Promise<ContractDetail> {
    return this.#http.request({
      method: 'GET',
      path: `/contracts/${id(contractId)}`,
      schema: contractResponse,
      ...options,
    });
  }

  /** Direct (not co-signed): 201 with the `NOT_FUNDED` milestone. */
  createMilestone(
    contractId: string,
    body: CreateMilestoneRequest,
    options?: RequestOptions,
  ): Promise<Milestone> {
    const { amountCents, ...rest } = body;
    return this.#http.request({
      method: 'POST',
      path: `/contracts/${id(contractId)}/milestones`,
      body: { ...rest, ...(amountCents === undefined ? {} : { amountUsd: centsToUsd(amountCents) }) },
      schema: milestoneResponse,
      ...options,
    });
  }

  /** Co-signed: 202 with a `milestone_fund` approval. */
  fundMilestone(milestoneId: string, options?: RequestOptions): Promise<ApprovalEnvelope> {
    return this.#http.request({
      method: 'POST',
      path: `/milestones/${id(milestoneId)}/fund`,
      schema: approvalEnvelopeSchema,
      ...options,
    });
  }

  /** The release of a funded milestone (`POST /milestones/{id}/approve`). Co-signed: `milestone_approve`. */
  releaseMilestone(milestoneId: string, options?: RequestOptions): Promise<ApprovalEnvelope> {
    return this.#http.request({
      method: 'POST',
      path: `/milestones/${id(milestoneId)}/approve`,
      schema: approvalEnvelopeSchema,
      ...options,
    });
  }

  /** Dual mode: ended at once when nothing is funded, else a `contract_end` approval. */
  endContract(contractId: string, options?: RequestOptions): Promise<EndContractResult> {
    return this.#http.request({
      method: 'POST',
      path: `/contracts/${id(contractId)}/end`,
      schema: (status: number) =>
        status === END_CONTRACT_APPROVAL_STATUS ? contractEndApprovalSchema : contractEndedSchema,
      ...options,
    });
  }

  listPendingPayments(options?: RequestOptions): Promise<PendingPayment[]> {
    return this.#http.request({
      method: 'GET',
      path: '/payments/pending',
      schema: pendingPaymentsResponse,
      ...options,
    });
  }

  sendMessage(body: { conversationId: string; content: string }, options?: RequestOptions): Promise<Message> {
    return this.#http.request({
      method: 'POST',
      path: '/messages',
      body,
      schema: sentMessageResponse,
      ...options,
    });
  }

  /** One page of the account's event feed, oldest first; pass the previous `nextCursor` as `cursor`. */
  getUpdates(
    query: { cursor?: string; limit?: number } = {},
    options?: RequestOptions,
  ): Promise<UpdatesPage> {
    return this.#http.request({
      method: 'GET',
      path: '/updates',
      query: { cursor: query.cursor, limit: query.limit },
      schema: updatesPageSchema,
      ...options,
    });
  }

  /** The `secret` is returned only here: store it, never log it. */
  createWebhook(
    body: { url: string; eventTypes: string[] },
    options?: RequestOptions,
  ): Promise<CreatedWebhook> {
    return this.#http.request({
      method: 'POST',
      path: '/webhooks',
      body,
      schema: createdWebhookResponse,
      ...options,
    });
  }

  listWebhooks(options?: RequestOptions): Promise<Webhook[]> {
    return this.#http.request({ method: 'GET', path: '/webhooks', schema: webhooksResponse, ...options });
  }

  getWebhook(webhookId: string, options?: RequestOptions): Promise<Webhook> {
    return this.#http.request({
      method: 'GET',
      path: `/webhooks/${id(webhookId)}`,
      schema: webhookResponse,
      ...options,
    });
  }

  /** Returns the subscription as it was before deletion. */
  deleteWebhook(webhookId: string, options?: RequestOptions): Promise<Webhook> {
    return this.#http.request({
      method: 'DELETE',
      path: `/webhooks/${id(webhookId)}`,
      schema: webhookResponse,
      ...options,
    });
  }

  /** Releases this client's share of the connection pool. */
  close(): Promise<void> {
    return this.#http.close();
  }

  toJSON(): { baseUrl: string; timeoutMs: number; token: '[REDACTED]' } {
    return { baseUrl: this.baseUrl, timeoutMs: this.timeoutMs, token: '[REDACTED]' };
  }

  toString(): string {
    return `OpenTrainClient(${this.baseUrl}, token [REDACTED])`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
