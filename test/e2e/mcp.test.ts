import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { EngagementState } from '../../domain/engagement-view';
import { call } from '../client/http-call';
import { runLifecycle } from './support/lifecycle';
import { startAwaitingHire } from './support/engagements';
import { callTool, connectHttp, connectStdio, mcpDriver, structured, textOf } from './support/mcp';
import { startE2eStack } from './support/stack';
import type { E2eStack } from './support/stack';
import { waitForState } from './support/wait';

/**
 * The MCP server through the SDK's own client, over stdio (`npm run -s mcp`, spawned as a host does) and over
 * Streamable HTTP (`/mcp` on the API), against the whole stack with OpenTrain's webhooks on.
 */

jest.setTimeout(180_000);
let stack: E2eStack;
let stdio: { client: Client; stderr: string[] };
let http: Client;

const TOOLS = [
  'add_milestone',
  'confirm_not_fit',
  'end_contract',
  'fund_milestone',
  'get_engagement',
  'list_engagements',
  'list_messages',
  'recheck_preconditions',
  'release_milestone',
  'retry',
  'send_message',
  'start_engagement',
  'wait_for_engagement',
];

/** An engagement whose hire the human confirmed, once its state shows the contract's thread. */
async function hiredWithThread(): Promise<{ engagementId: string; active: EngagementState }> {
  const { engagementId, approval } = await startAwaitingHire(stack);
  await stack.control.confirmApproval(approval.approvalId);
  const active = await waitForState(
    () => stack.engagements.getState(engagementId),
    'the contract thread',
    (s) => (s.phase === 'active' && s.jobDmConversationId ? s : undefined),
  );
  return { engagementId, active };
}

beforeAll(async () => {
  stack = await startE2eStack({ webhooks: 'sandbox', feedPollIntervalMs: 600_000 });
  stdio = await connectStdio(stack.env.address);
  http = await connectHttp(stack.api.url, stack.apiToken);
});
afterAll(async () => {
  await stdio?.client.close();
  await http?.close();
  await stack?.stop();
});

const transports: [string, () => Client][] = [
  ['stdio', () => stdio.client],
  ['Streamable HTTP', () => http],
];

describe.each(transports)('over %s', (_name, client) => {
  it('lists exactly the engagement tools, each with input and output schemas and hints', async () => {
    const { tools } = await client().listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOLS);
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
      expect(typeof tool.annotations?.readOnlyHint).toBe('boolean');
      expect(typeof tool.annotations?.destructiveHint).toBe('boolean');
      expect(typeof tool.annotations?.idempotentHint).toBe('boolean');
      if (!tool.annotations?.readOnlyHint)
        expect(tool.inputSchema.properties).toHaveProperty('idempotencyKey');
    }
    const add = tools.find((t) => t.name === 'add_milestone')!;
    expect(Object.keys(add.inputSchema.properties ?? {}).sort()).toEqual(
      ['amountUsd', 'description', 'dueDate', 'engagementId', 'fund', 'idempotencyKey', 'name'].sort(),
    );
  });

  it('carries a whole lifecycle: start → hire approval → add and fund → release → end', async () => {
    const { proposalId } = await stack.control.createProposal({ token: stack.token });
    const { engagementId, final, approvalsConfirmed } = await runLifecycle(
      mcpDriver(client()),
      stack.control,
      proposalId,
    );
    expect(final.phase).toBe('ended');
    expect(approvalsConfirmed).toBe(6);
    // The workflow returns once it has read the ended contract: milestone 3's escrow went back (REFUNDED).
    const settled: EngagementState = await stack.env.client.workflow.getHandle(engagementId).result();
    expect(settled.milestones.map((m) => m.status)).toEqual(['PAID', 'PAID', 'REFUNDED']);
    // Every intent came through the MCP door, under the keys the driver gave.
    const intents = settled.intents ?? [];
    expect(intents.length).toBeGreaterThan(0);
    expect(intents.every((i) => i.door === 'mcp')).toBe(true);
    expect(intents.map((i) => i.key)).toContain(`end-${engagementId}`);

    const resources = await client().listResources();
    expect(resources.resources.map((r) => r.uri)).toContain(`engagement://${engagementId}`);
    const read = await client().readResource({ uri: `engagement://${engagementId}` });
    const content = read.contents[0] as { text: string; mimeType: string };
    expect(content.mimeType).toBe('application/json');
    expect((JSON.parse(content.text) as EngagementState).phase).toBe('ended');
  });

  it('says first what the human must approve, with the link and the time left', async () => {
    const { proposalId } = await stack.control.createProposal({ token: stack.token });
    const { engagementId } = await structured<{ engagementId: string }>(client(), 'start_engagement', {
      proposalId,
      firstMilestone: { name: 'Pilot', amountUsd: 50 },
    });
    const waited = await callTool(client(), 'wait_for_engagement', { engagementId, timeoutSeconds: 30 });
    const state = (waited.structuredContent as { state: EngagementState }).state;
    const hire = state.pendingApprovals.find((a) => a.type === 'proposal_hire')!;
    expect(textOf(waited).split('\n')[0]).toMatch(
      new RegExp(
        `^ACTION FOR THE HUMAN: approve the hire of ${proposalId} .* at ${hire.approvalUrl} — 71 h 5\\d min left`,
      ),
    );
  });

  it('wait_for_engagement returns within a second of the human confirming', async () => {
    const { proposalId } = await stack.control.createProposal({ token: stack.token });
    const { engagementId } = await structured<{ engagementId: string }>(client(), 'start_engagement', {
      proposalId,
      firstMilestone: { name: 'Pilot', amountUsd: 30 },
    });
    const hire = await waitForState(
      () => stack.engagements.getState(engagementId),
      'the hire approval',
      (s) => s.pendingApprovals.find((a) => a.type === 'proposal_hire'),
    );
    const waiting = structured<{ changed: boolean; state: EngagementState }>(
      client(),
      'wait_for_engagement',
      {
        engagementId,
        timeoutSeconds: 60,
      },
    );
    await new Promise((r) => setTimeout(r, 1_000)); // the wait is in place and has read the state
    await stack.control.confirmApproval(hire.approvalId);
    const confirmedAt = Date.now();
    const result = await waiting;
    const latencyMs = Date.now() - confirmedAt;
    expect(result.changed).toBe(true);
    expect(result.state.pendingApprovals.find((a) => a.approvalId === hire.approvalId)).toBeUndefined();
    expect(latencyMs).toBeLessThan(1_000);
  });

  it("send_message briefs the trainer once per key, and the trainer's reply wakes wait_for_engagement", async () => {
    const { engagementId, active } = await hiredWithThread();
    const args = {
      engagementId,
      content: 'Please start with batch 1.',
      idempotencyKey: `brief-${engagementId}`,
    };
    const sent = await structured<{ id: string; sender: string }>(client(), 'send_message', args);
    expect(await structured<{ id: string }>(client(), 'send_message', args)).toEqual(sent);
    expect(sent.sender).toBe('you');
    const waiting = structured<{ changed: boolean; state: EngagementState }>(
      client(),
      'wait_for_engagement',
      {
        engagementId,
        timeoutSeconds: 60,
      },
    );
    await new Promise((r) => setTimeout(r, 1_000));
    await stack.control.replyAsTrainer(active.jobDmConversationId as string, 'On it!');
    const woke = await waiting;
    expect(woke.changed).toBe(true);
    expect(woke.state.thread?.messages.at(-1)).toMatchObject({ sender: 'trainer', content: 'On it!' });
    expect(await stack.control.conversationMessages(active.jobDmConversationId as string)).toHaveLength(2);
  });

  it('wait_for_engagement answers at its timeout with the current state when nothing moves', async () => {
    const { proposalId } = await stack.control.createProposal({ token: stack.token });
    const { engagementId } = await stack.engagements.start({
      proposalId,
      firstMilestone: { name: 'x', amountUsd: 20 },
    });
    await waitForState(
      () => stack.engagements.getState(engagementId),
      'the hire approval',
      (s) => s.pendingApprovals[0],
    );
    const started = Date.now();
    const result = await structured<{ changed: boolean; state: EngagementState }>(
      client(),
      'wait_for_engagement',
      {
        engagementId,
        timeoutSeconds: 1.5,
      },
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    expect(result).toMatchObject({
      changed: false,
      state: { engagementId, phase: 'awaiting_hire_approval' },
    });
  });

  it('answers bad input with a tool error naming every field, and keeps serving', async () => {
    const result = await callTool(client(), 'add_milestone', {
      engagementId: 'nope',
      description: '',
      amountUsd: -5,
      extra: true,
    });
    expect(result.isError).toBe(true);
    const text = textOf(result);
    for (const field of ['engagementId', 'description', 'amountUsd', 'extra']) expect(text).toContain(field);
    const timeout = await callTool(client(), 'wait_for_engagement', {
      engagementId: 'engagement-x',
      timeoutSeconds: 500,
    });
    expect(timeout.isError).toBe(true);
    expect(textOf(timeout)).toMatch(/timeoutSeconds/);
    // The budget rule of the shared input schema, judged before anything starts.
    const start = await callTool(client(), 'start_engagement', {
      proposalId: 'prp_x',
      firstMilestone: { name: 'x', amountUsd: 100 },
      budgetUsd: 50,
    });
    expect(start.isError).toBe(true);
    expect(textOf(start)).toMatch(/^invalid_input: budgetUsd: must cover the hire charge/);
    expect((await client().listTools()).tools).toHaveLength(TOOLS.length);
  });

  it('tells an unknown engagement from a refused update', async () => {
    const unknown = await callTool(client(), 'get_engagement', { engagementId: 'engagement-prp_nobody' });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toMatch(/^unknown_engagement: No engagement with id engagement-prp_nobody/);

    const { proposalId } = await stack.control.createProposal({ token: stack.token });
    const { engagementId } = await stack.engagements.start({
      proposalId,
      firstMilestone: { name: 'x', amountUsd: 20 },
    });
    await waitForState(
      () => stack.engagements.getState(engagementId),
      'the hire',
      (s) => s.pendingApprovals[0],
    );
    const refused = await callTool(client(), 'release_milestone', { engagementId, milestoneId: 'mil_none' });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/^refused: releaseMilestone on engagement-prp_\w+ \[\w+\]: /);
  });
});

describe('over Streamable HTTP, the endpoint', () => {
  const initialize = {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
  };
  const post = (headers: Record<string, string>) =>
    call(stack.api.url, {
      method: 'POST',
      url: '/mcp',
      payload: initialize,
      headers: { accept: 'application/json, text/event-stream', ...headers },
    });

  it('needs the bearer token', async () => {
    expect((await post({})).statusCode).toBe(401);
    expect((await post({ authorization: 'Bearer wrong' })).statusCode).toBe(401);
  });

  it('refuses a Host or an Origin that is not this machine (DNS rebinding)', async () => {
    const authorization = `Bearer ${stack.apiToken}`;
    const evilHost = await post({ authorization, host: 'evil.example:3000' });
    expect(evilHost.statusCode).toBe(403);
    expect(evilHost.json()).toMatchObject({ code: 'FORBIDDEN_HOST' });
    const evilOrigin = await post({ authorization, origin: 'http://evil.example' });
    expect(evilOrigin.statusCode).toBe(403);
    expect(evilOrigin.json()).toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
    const local = await post({ authorization, origin: 'http://localhost:5173' });
    expect(local.statusCode).toBe(200);
  });
});

it('over stdio, list_messages reads the whole thread from OpenTrain once the token is in its environment', async () => {
  const { engagementId, active } = await hiredWithThread();
  await stack.control.replyAsTrainer(active.jobDmConversationId as string, 'Ready when you are.');

  // Without the token the thread is not readable from OpenTrain, and the tool says so.
  const without = await callTool(stdio.client, 'list_messages', { engagementId });
  expect(textOf(without)).toMatch(/\[opentrain_not_configured\]: reading threads needs OPENTRAIN_API_TOKEN/);

  const withToken = await connectStdio(stack.env.address, {
    OPENTRAIN_API_TOKEN: stack.token,
    OPENTRAIN_API_BASE_URL: stack.sandbox.apiBaseUrl,
  });
  try {
    const page = await structured<{ messages: { sender: string; content: string }[] }>(
      withToken.client,
      'list_messages',
      { engagementId },
    );
    expect(page.messages[0]).toMatchObject({ sender: 'trainer', content: 'Ready when you are.' });
    expect(withToken.stderr.join('')).not.toContain(stack.token);
  } finally {
    await withToken.client.close();
  }
});
