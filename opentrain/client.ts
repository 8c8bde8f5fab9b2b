import { inspect } from 'node:util';
import type { z } from 'zod';
import { centsToUsd } from '../domain/money';
import { loadConfig, processConfig } from '../config/load';
import { clientOptionsFromConfig, resolveClientOptions, type OpenTrainClientOptions } from './config';
import { END_CONTRACT_APPROVAL_STATUS } from './gaps';
import { OpenTrainHttp, type ApiCall, type RequestOptions } from './http';
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
  messagesPageSchema,
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
  type MessagesPage,
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
 * Typed client of the OpenTrain Public API (docs/opentrain-api.md#endpoints). Amounts are integer cents on this
 * side and dollars on the wire. Every method makes exactly one request and never retries; failures are
 * OpenTrainApiError (with `retryable`) or OpenTrainResponseError. The token is held privately and never printed.
 */
export class OpenTrainClient {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly #http: OpenTrainHttp;

  constructor(options: OpenTrainClientOptions) {
    const resolved = resolveClientOptions(options);
    this.baseUrl = resolved.baseUrl;
    this.timeoutMs = resolved.timeoutMs;
    this.#http = new OpenTrainHttp(resolved, options.onResponse);
  }

  /**
   * From OPENTRAIN_API_BASE_URL, OPENTRAIN_API_TOKEN / OT_API_TOKEN, OPENTRAIN_API_TIMEOUT_MS, read through the
   * configuration module (the process's parsed config, or `env` parsed for a test).
   */
  static fromEnv(
    env?: NodeJS.ProcessEnv,
    extra: Pick<OpenTrainClientOptions, 'onResponse'> = {},
  ): OpenTrainClient {
    const config = env ? loadConfig(env) : processConfig();
    return new OpenTrainClient({ ...clientOptionsFromConfig(config), ...extra });
  }

  getMe(options?: RequestOptions): Promise<Me> {
    return this.#get('/auth/me', meSchema, options);
  }

  getCapabilities(options?: RequestOptions): Promise<Capabilities> {
    return this.#get('/job-drafts/capabilities', capabilitiesSchema, options);
  }

  getCredits(options?: RequestOptions): Promise<Credits> {
    return this.#get('/credits', creditsResponse, options);
  }

  /** Co-signed: 202 with a `proposal_hire` approval; the same pending approval for the same terms. */
  hireProposal(proposalId: string, body: HireRequest, options?: RequestOptions): Promise<ApprovalEnvelope> {
    const { amountCents, ...milestone } = body.milestone;
    const wire = {
      milestone: { ...milestone, amount: centsToUsd(amountCents) },
      ...(body.confirmNotFitOverride === undefined
        ? {}
        : { confirmNotFitOverride: body.confirmNotFitOverride }),
    };
    return this.#post(`/proposals/${id(proposalId)}/hire`, approvalEnvelopeSchema, wire, options);
  }

  getApproval(approvalId: string, options?: RequestOptions): Promise<Approval> {
    return this.#get(`/approvals/${id(approvalId)}`, approvalResponse, options);
  }

  listContracts(
    query: { jobId?: string; status?: 'active' | 'ended' } = {},
    options?: RequestOptions,
  ): Promise<Contract[]> {
    return this.#get('/contracts', contractsResponse, options, { jobId: query.jobId, status: query.status });
  }

  getContract(contractId: string, options?: RequestOptions): Promise<ContractDetail> {
    return this.#get(`/contracts/${id(contractId)}`, contractResponse, options);
  }

  /** Direct (not co-signed): 201 with the `NOT_FUNDED` milestone. */
  createMilestone(
    contractId: string,
    body: CreateMilestoneRequest,
    options?: RequestOptions,
  ): Promise<Milestone> {
    const { amountCents, ...rest } = body;
    const wire = { ...rest, ...(amountCents === undefined ? {} : { amountUsd: centsToUsd(amountCents) }) };
    return this.#post(`/contracts/${id(contractId)}/milestones`, milestoneResponse, wire, options);
  }

  /** Co-signed: 202 with a `milestone_fund` approval. */
  fundMilestone(milestoneId: string, options?: RequestOptions): Promise<ApprovalEnvelope> {
    return this.#post(`/milestones/${id(milestoneId)}/fund`, approvalEnvelopeSchema, undefined, options);
  }

  /** The release of a funded milestone (`POST /milestones/{id}/approve`). Co-signed: `milestone_approve`. */
  releaseMilestone(milestoneId: string, options?: RequestOptions): Promise<ApprovalEnvelope> {
    return this.#post(`/milestones/${id(milestoneId)}/approve`, approvalEnvelopeSchema, undefined, options);
  }

  /** Dual mode: ended at once when nothing is funded, else a `contract_end` approval. */
  endContract(contractId: string, options?: RequestOptions): Promise<EndContractResult> {
    const schema = (status: number) =>
      status === END_CONTRACT_APPROVAL_STATUS ? contractEndApprovalSchema : contractEndedSchema;
    return this.#post(`/contracts/${id(contractId)}/end`, schema, undefined, options);
  }

  listPendingPayments(options?: RequestOptions): Promise<PendingPayment[]> {
    return this.#get('/payments/pending', pendingPaymentsResponse, options);
  }

  sendMessage(body: { conversationId: string; content: string }, options?: RequestOptions): Promise<Message> {
    return this.#post('/messages', sentMessageResponse, body, options);
  }

  /**
   * One page of a thread (message mode of `GET /messages`): `older` (the default) pages back from the newest,
   * `newer` forward; pass the previous `nextCursor` as `cursor`.
   */
  listMessages(
    query: { conversationId: string; direction?: 'older' | 'newer'; cursor?: string; limit?: number },
    options?: RequestOptions,
  ): Promise<MessagesPage> {
    return this.#get('/messages', messagesPageSchema, options, { ...query });
  }

  /** One page of the account's event feed, oldest first; pass the previous `nextCursor` as `cursor`. */
  getUpdates(
    query: { cursor?: string; limit?: number } = {},
    options?: RequestOptions,
  ): Promise<UpdatesPage> {
    return this.#get('/updates', updatesPageSchema, options, { cursor: query.cursor, limit: query.limit });
  }

  /** The `secret` is returned only here: store it, never log it. */
  createWebhook(
    body: { url: string; eventTypes: string[] },
    options?: RequestOptions,
  ): Promise<CreatedWebhook> {
    return this.#post('/webhooks', createdWebhookResponse, body, options);
  }

  listWebhooks(options?: RequestOptions): Promise<Webhook[]> {
    return this.#get('/webhooks', webhooksResponse, options);
  }

  getWebhook(webhookId: string, options?: RequestOptions): Promise<Webhook> {
    return this.#get(`/webhooks/${id(webhookId)}`, webhookResponse, options);
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

  #get<S extends z.ZodType>(
    path: string,
    schema: S,
    options: RequestOptions | undefined,
    query?: ApiCall<S>['query'],
  ): Promise<z.output<S>> {
    return this.#http.request({ method: 'GET', path, query, schema, ...options });
  }

  #post<S extends z.ZodType>(
    path: string,
    schema: ApiCall<S>['schema'],
    body: unknown,
    options: RequestOptions | undefined,
  ): Promise<z.output<S>> {
    return this.#http.request({ method: 'POST', path, body, schema, ...options });
  }
}
