import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from '../../client/cli/program';
import type { CliIo } from '../../client/cli/context';
import { connectEngagementClient } from '../../client/connection';
import { call } from '../client/http-call';
import { readFeedStatus } from '../../client/updates-feed';
import type { EngagementState } from '../../domain/engagement-view';
import { startAwaitingHire, startEngagement } from './support/engagements';
import { httpLifecycleDriver } from './support/http-driver';
import { runLifecycle } from './support/lifecycle';
import type { LifecycleDriver } from './support/lifecycle';
import { startE2eStack } from './support/stack';
import type { E2eStack } from './support/stack';

/**
 * The full lifecycle through the CLI and through HTTP, with OpenTrain's webhooks on: the sandbox really delivers
 * to the API's receiver. The feed's own interval is 10 minutes and engagements keep their default (5-minute)
 * approval polling, so only the doorbell can make these lifecycles finish in seconds.
 */

jest.setTimeout(120_000);
let stack: E2eStack;

beforeAll(async () => {
  stack = await startE2eStack({ webhooks: 'sandbox', feedPollIntervalMs: 600_000 });
});
afterAll(() => stack?.stop());

/** The CLI's real connection, pointed at the test server as TEMPORAL_ADDRESS would, printing into arrays. */
function cliIo(out: string[], err: string[]): CliIo {
  return {
    connect: () => connectEngagementClient({ address: stack.env.address, namespace: 'default' }),
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    isTTY: false,
    now: () => Date.now(),
  };
}

/** Runs one command line through the CLI's code path; its stdout, or an error with its stderr. */
async function cli(...args: string[]): Promise<string> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, cliIo(out, err));
  if (code !== 0) throw new Error(`engagements ${args.join(' ')} → exit ${code}: ${err.join(' ')}`);
  return out.join('\n');
}

function cliDriver(): LifecycleDriver {
  return {
    start: async (proposalId) =>
      (
        await cli(
          'start',
          '--proposal',
          proposalId,
          '--name',
          'Pilot',
          '--description',
          'Label',
          '--amount',
          '120',
        )
      ).trim(),
    state: async (id) => JSON.parse(await cli('state', id, '--json')) as EngagementState,
    addFundedMilestone: async (id, description, amountUsd) => {
      const added = JSON.parse(
        await cli(
          'milestone',
          'add',
          id,
          '--description',
          description,
          '--amount',
          String(amountUsd),
          '--fund',
          '--json',
        ),
      ) as { milestone: { id: string } };
      return added.milestone.id;
    },
    release: async (id, milestoneId) => void (await cli('milestone', 'release', id, milestoneId)),
    end: async (id) => void (await cli('end', id)),
  };
}

describe.each([
  ['the CLI', cliDriver],
  ['the HTTP API', () => httpLifecycleDriver(stack.api.url, stack.apiToken)],
])('through %s', (_name, driver) => {
  it('hires, funds and releases milestones, and ends the contract with the human co-signing each step', async () => {
    const { proposalId } = await stack.control.createProposal({ token: stack.token });
    const way = driver();
    const { engagementId, final, approvalsConfirmed } = await runLifecycle(way, stack.control, proposalId);

    expect(engagementId).toBe(`engagement-${proposalId}`);
    expect(approvalsConfirmed).toBe(6);
    expect(final.phase).toBe('ended');
    // The workflow returns once it has read the ended contract: milestone 3's escrow went back (REFUNDED).
    const settled: EngagementState = await stack.env.client.workflow.getHandle(engagementId).result();
    expect(settled.milestones.map((m) => m.status)).toEqual(['PAID', 'PAID', 'REFUNDED']);
    expect(settled.pendingApprovals).toEqual([]);
    expect(await way.state(engagementId)).toEqual(settled);
    // What OpenTrain itself says, not what we believe.
    const contract = await stack.openTrain.getContract(final.contractId ?? '');
    expect(contract.status).toBe('ended');
    const deliveries = await stack.control.deliveries();
    expect(deliveries.some((d) => d.eventType === 'approval.confirmed' && d.status === 'DELIVERED')).toBe(
      true,
    );
  });
});

it('state --watch prints each change once and stops by itself when the engagement ends', async () => {
  const { engagementId, approval } = await startAwaitingHire(stack);
  const out: string[] = [];
  const err: string[] = [];
  const watching = runCli(['state', engagementId, '--watch', '--json'], cliIo(out, err));
  while (out.length === 0 && err.length === 0) await sleep(50);
  // A declined hire is parked for `retry` (not an end); the operator then cancels the engagement.
  await stack.control.declineApproval(approval.approvalId);
  while (!out.some((line) => (JSON.parse(line) as EngagementState).parked.length > 0)) await sleep(50);
  await stack.env.client.workflow.getHandle(engagementId).cancel();
  expect(await watching).toBe(0);
  const states = out.map((line) => JSON.parse(line) as EngagementState);
  expect(states[0]?.phase).toBe('awaiting_hire_approval');
  expect(states.some((s) => s.phase === 'blocked' && s.parked[0]?.reason === 'declined')).toBe(true);
  expect(states.at(-1)?.phase).toBe('cancelled');
  expect(new Set(out).size).toBe(out.length);
});

it('starting the same engagement again returns it instead of hiring twice', async () => {
  const { proposalId } = await stack.control.createProposal({ token: stack.token });
  const driver = httpLifecycleDriver(stack.api.url, stack.apiToken);
  const first = await driver.start(proposalId);
  const second = await driver.start(proposalId);
  expect(second).toBe(first);
  const { engagementId } = await stack.engagements.start({
    proposalId,
    firstMilestone: { name: 'x', amountUsd: 5 },
  });
  expect(engagementId).toBe(first);
});

it('lists engagements by phase from the search attributes', async () => {
  const { engagementId } = await startEngagement(stack);
  const listed = async () =>
    (await stack.engagements.list({ phase: 'awaiting_hire_approval' })).map((s) => s.engagementId);
  const deadline = Date.now() + 15_000;
  while (!(await listed()).includes(engagementId) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 200));
  expect(await listed()).toContain(engagementId);
  const expiring = await stack.engagements.list({ expiringWithinHours: 73 });
  expect(expiring.map((s) => s.engagementId)).toContain(engagementId);
  expect(await stack.engagements.list({ expiringWithinHours: 1 })).not.toContainEqual(
    expect.objectContaining({ engagementId }),
  );
});

it('answers 404 for an unknown engagement and 409 with the reason when the workflow refuses', async () => {
  const auth = { authorization: `Bearer ${stack.apiToken}` };
  const missing = await call(stack.api.url, { url: '/engagements/engagement-p_nobody', headers: auth });
  expect(missing.statusCode).toBe(404);
  const { engagementId } = await startEngagement(stack);
  const refused = await call(stack.api.url, {
    method: 'POST',
    url: `/engagements/${engagementId}/milestones/mil_unknown/release`,
    headers: auth,
  });
  expect(refused.statusCode).toBe(409);
  expect(refused.json().reason).toEqual(expect.any(String));
});

it('keeps the OpenTrain token, the webhook secret and the API token out of workflow histories and query results', async () => {
  const secrets = [stack.token, stack.webhookSecret, stack.apiToken];
  expect(secrets.every((secret) => typeof secret === 'string' && secret.length >= 16)).toBe(true);
  const seen: string[] = [JSON.stringify(await readFeedStatus(stack.env.client))];
  for await (const execution of stack.env.client.workflow.list()) {
    const handle = stack.env.client.workflow.getHandle(execution.workflowId, execution.runId);
    seen.push(JSON.stringify(await handle.fetchHistory(), payloadsAsText));
    if (execution.type === 'engagementWorkflow')
      seen.push(JSON.stringify(await stack.engagements.getState(execution.workflowId)));
  }
  // The lifecycles above ran here, so both kinds of workflow (and several runs) were read, payloads as text.
  expect(seen.length).toBeGreaterThan(5);
  const everything = seen.join('\n');
  expect(everything).toContain('firstMilestone');
  for (const secret of secrets) expect(everything).not.toContain(secret);
});

/** JSON.stringify replacer: history payloads (UTF-8 JSON bytes) as text, so a secret inside one would show. */
function payloadsAsText(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Uint8Array) return Buffer.from(raw).toString('utf8');
  return key === 'data' && typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : value;
}
