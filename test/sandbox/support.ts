import { fetch } from 'undici';
import { SandboxControl, type SandboxAccountSettings } from '../../sandbox/control-client';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../sandbox/server';

/** Response bodies are read as loose JSON: each test asserts the fields it cares about. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface ApiResponse {
  status: number;
  body: Json;
  headers: Headers;
}

/** A bearer-token caller of the sandbox's public API, through undici like any real client. */
export class TestApi {
  constructor(
    readonly baseUrl: string,
    readonly token: string | undefined,
  ) {}

  get(path: string): Promise<ApiResponse> {
    return this.send('GET', path);
  }

  post(path: string, body?: unknown): Promise<ApiResponse> {
    return this.send('POST', path, body);
  }

  delete(path: string): Promise<ApiResponse> {
    return this.send('DELETE', path);
  }

  private async send(method: string, path: string, body?: unknown): Promise<ApiResponse> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? JSON.parse(text) : undefined,
      headers: response.headers as Headers,
    };
  }
}

export interface TestSandbox {
  sandbox: RunningSandbox;
  control: SandboxControl;
  /** A fresh account (fully enabled unless told otherwise) and its API caller. */
  account(settings?: SandboxAccountSettings): Promise<TestApi>;
  close(): Promise<void>;
}

export async function startTestSandbox(options: SandboxOptions = {}): Promise<TestSandbox> {
  const sandbox = await startSandbox(options);
  const control = new SandboxControl(sandbox.url);
  return {
    sandbox,
    control,
    account: async (settings) =>
      new TestApi(sandbox.apiBaseUrl, (await control.createAccount(settings)).token),
    close: () => sandbox.close(),
  };
}

export const milestoneTerms = { name: 'First labeling batch', description: 'Label 5,000 posts', amount: 300 };

/** Hire → the human confirms → the contract with its funded first milestone. */
export async function hire(
  env: TestSandbox,
  api: TestApi,
  milestone: Record<string, unknown> = milestoneTerms,
): Promise<{
  proposalId: string;
  jobId: string;
  contractId: string;
  firstMilestoneId: string;
  approvalId: string;
}> {
  const { proposalId, jobId } = await env.control.createProposal({ token: api.token ?? '' });
  const requested = await api.post(`/proposals/${proposalId}/hire`, { milestone });
  expect(requested.status).toBe(202);
  const approval = await env.control.confirmApproval(requested.body.approval.id);
  const contractId = String(approval.result?.contractId);
  const contract = await api.get(`/contracts/${contractId}`);
  return {
    proposalId,
    jobId,
    contractId,
    firstMilestoneId: contract.body.contract.milestones[0].id,
    approvalId: approval.id,
  };
}

/** Adds a milestone and has the human confirm its funding. */
export async function fundedMilestone(env: TestSandbox, api: TestApi, contractId: string, amountUsd: number) {
  const created = await api.post(`/contracts/${contractId}/milestones`, {
    description: 'Next batch',
    amountUsd,
  });
  expect(created.status).toBe(201);
  const fund = await api.post(`/milestones/${created.body.milestone.id}/fund`);
  expect(fund.status).toBe(202);
  const approval = await env.control.confirmApproval(fund.body.approval.id);
  return { milestoneId: String(created.body.milestone.id), approval };
}
