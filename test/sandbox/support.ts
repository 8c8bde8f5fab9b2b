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
  /** A new job owned by `api`'s account with one proposal. */
  proposal(
    api: TestApi,
    options?: Omit<Parameters<SandboxControl['createProposal']>[0], 'token'>,
  ): Promise<{ proposalId: string; jobId: string }>;
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
    proposal: (api, proposalOptions = {}) =>
      control.createProposal({ token: api.token ?? '', ...proposalOptions }),
    close: () => sandbox.close(),
  };
}

/**
 * One sandbox for the whole test file: started in beforeAll, closed in afterAll. The returned object forwards to
 * it, so tests use it directly (`env.account()`), never at module load.
 */
export function useTestSandbox(options: SandboxOptions = {}): TestSandbox {
  let started: TestSandbox | undefined;
  beforeAll(async () => {
    started = await startTestSandbox(options);
  });
  afterAll(() => started?.close());
  const current = (): TestSandbox => {
    if (!started) throw new Error('The test sandbox is used before beforeAll started it');
    return started;
  };
  return {
    get sandbox() {
      return current().sandbox;
    },
    get control() {
      return current().control;
    },
    account: (settings) => current().account(settings),
    proposal: (api, proposalOptions) => current().proposal(api, proposalOptions),
    close: () => current().close(),
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
  const { proposalId, jobId } = await env.proposal(api);
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

/** Adds an unfunded milestone (201) to the contract and returns its id. */
export async function unfundedMilestone(
  api: TestApi,
  contractId: string,
  amountUsd: number,
  description = 'Next batch',
): Promise<string> {
  const created = await api.post(`/contracts/${contractId}/milestones`, { description, amountUsd });
  expect(created.status).toBe(201);
  return String(created.body.milestone.id);
}

/** Adds a milestone and has the human confirm its funding. */
export async function fundedMilestone(env: TestSandbox, api: TestApi, contractId: string, amountUsd: number) {
  const milestoneId = await unfundedMilestone(api, contractId, amountUsd);
  const fund = await api.post(`/milestones/${milestoneId}/fund`);
  expect(fund.status).toBe(202);
  const approval = await env.control.confirmApproval(fund.body.approval.id);
  return { milestoneId, approval };
}
