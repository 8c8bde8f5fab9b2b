import { fetch } from 'undici';
import type { SandboxContractRecord } from './control-routes';
import type { Message } from './model';
import type { Faults, RecordedRequest } from './traffic';
import type { DeliveryRecord } from './webhook-delivery';
import type { ledgerEntryToWire, WireApproval, WireMilestone } from './wire';

/** An approval as the public API and the control API return it. */
export type SandboxApproval = WireApproval;

export interface SandboxAccountSettings {
  claimed?: boolean;
  scopes?: string[];
  features?: string[];
  cardOnFile?: boolean;
  creditsCents?: number;
}

/** Each rate is 0–1; `{}` resets every fault. */
export type SandboxFaults = Faults;

/** One event's delivery to one subscription, as GET /__sandbox/deliveries reports it. */
export type SandboxDelivery = DeliveryRecord;

/** A contract with every milestone it has, hidden ones (cancelled, refunded) included. */
export type { SandboxContractRecord };

/** One credits-ledger entry: HOLD (negative, milestone + fees), CAPTURE, HOLD_RELEASE, … */
export type SandboxLedgerEntry = ReturnType<typeof ledgerEntryToWire>;

/** One message of a thread as the sandbox stores it. */
export type SandboxMessage = Message;

/** Thrown when the control API answers non-2xx; carries the sandbox's error envelope. */
export class SandboxControlError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`Sandbox control ${what} failed with ${status}: ${JSON.stringify(body)}`);
  }
}

/** A small typed client of the sandbox's /__sandbox control API, for tests, the demo and e2e. */
export class SandboxControl {
  private readonly base: string;

  constructor(url: string) {
    this.base = `${url.replace(/\/+$/, '')}/__sandbox`;
  }

  createAccount(body: SandboxAccountSettings = {}): Promise<{ token: string }> {
    return this.call('POST', '/accounts', body);
  }

  async updateAccount(token: string, patch: SandboxAccountSettings): Promise<void> {
    await this.call('PATCH', `/accounts/${encodeURIComponent(token)}`, patch);
  }

  createProposal(body: {
    token: string;
    notAFit?: boolean;
    paymentType?: string;
    rateUsd?: number;
  }): Promise<{ proposalId: string; jobId: string }> {
    return this.call('POST', '/proposals', body);
  }

  async confirmApproval(
    approvalId: string,
    body: { milestone?: { amount?: number; name?: string; description?: string; dueDate?: string } } = {},
  ): Promise<SandboxApproval> {
    const { approval } = await this.call<{ approval: SandboxApproval }>(
      'POST',
      `/approvals/${encodeURIComponent(approvalId)}/confirm`,
      body,
    );
    return approval;
  }

  async declineApproval(approvalId: string): Promise<SandboxApproval> {
    const { approval } = await this.call<{ approval: SandboxApproval }>(
      'POST',
      `/approvals/${encodeURIComponent(approvalId)}/decline`,
      {},
    );
    return approval;
  }

  /** The human cancels an unfunded milestone (declining its pending funding request); fund then answers 409. */
  async cancelMilestone(milestoneId: string): Promise<WireMilestone> {
    const { milestone } = await this.call<{ milestone: WireMilestone }>(
      'POST',
      `/milestones/${encodeURIComponent(milestoneId)}/cancel`,
      {},
    );
    return milestone;
  }

  async listApprovals(filter: { status?: string } = {}): Promise<SandboxApproval[]> {
    const query = filter.status ? `?status=${encodeURIComponent(filter.status)}` : '';
    const { approvals } = await this.call<{ approvals: SandboxApproval[] }>('GET', `/approvals${query}`);
    return approvals;
  }

  async requests(): Promise<RecordedRequest[]> {
    const { requests } = await this.call<{ requests: RecordedRequest[] }>('GET', '/requests');
    return requests;
  }

  async clearRequests(): Promise<void> {
    await this.call('DELETE', '/requests');
  }

  /** The trainer answers in a contract's thread: `message.received` in /updates and to webhooks. */
  replyAsTrainer(conversationId: string, content: string): Promise<{ message: SandboxMessage }> {
    return this.call('POST', `/conversations/${encodeURIComponent(conversationId)}/reply`, { content });
  }

  /** The thread as the sandbox stores it, oldest first: what was really sent, duplicates included. */
  async conversationMessages(conversationId: string): Promise<SandboxMessage[]> {
    const body = await this.call<{ messages: SandboxMessage[] }>(
      'GET',
      `/conversations/${encodeURIComponent(conversationId)}/messages`,
    );
    return body.messages;
  }

  /** `{}` resets every fault. */
  async setFaults(faults: SandboxFaults): Promise<void> {
    await this.call('POST', '/faults', faults);
  }

  async advanceClock(ms: number): Promise<void> {
    await this.call('POST', '/clock', { advanceMs: ms });
  }

  async deliveries(): Promise<SandboxDelivery[]> {
    const { deliveries } = await this.call<{ deliveries: SandboxDelivery[] }>('GET', '/deliveries');
    return deliveries;
  }

  /** Every contract the sandbox holds, with all of its milestones (not only the public timeline). */
  async contracts(): Promise<SandboxContractRecord[]> {
    const { contracts } = await this.call<{ contracts: SandboxContractRecord[] }>('GET', '/contracts');
    return contracts;
  }

  /** The whole credits ledger, oldest first; `contractId` keeps only that contract's entries. */
  async ledger(filter: { contractId?: string } = {}): Promise<SandboxLedgerEntry[]> {
    const query = filter.contractId ? `?contractId=${encodeURIComponent(filter.contractId)}` : '';
    const { entries } = await this.call<{ entries: SandboxLedgerEntry[] }>('GET', `/ledger${query}`);
    return entries;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) throw new SandboxControlError(response.status, parsed, `${method} ${path}`);
    return parsed as T;
  }
}
