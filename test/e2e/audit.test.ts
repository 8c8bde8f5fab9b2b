import { writeFile } from 'node:fs/promises';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { AuditEntry, AuditTrail } from '../../client/audit/audit-entry';
import { runCli } from '../../client/cli/program';
import type { CliIo } from '../../client/cli/context';
import { connectEngagementClient } from '../../client/connection';
import type { EngagementState } from '../../domain/engagement-view';
import { openTrainEventSignal } from '../../workflows/messages';
import { call } from '../client/http-call';
import { connectHttp, structured } from './support/mcp';
import { startE2eStack } from './support/stack';
import type { E2eStack } from './support/stack';
import { waitForState } from './support/wait';

/**
 * The audit trail of one real lifecycle that meets every kind of decision: started over HTTP, the hire's approval
 * expires and is asked again, the human edits the hire's amount before confirming, a milestone added through the
 * CLI is declined and parked, retried through MCP, released and ended through the library — with a
 * continue-as-new in the middle, so the trail spans two runs.
 */

jest.setTimeout(300_000);
let stack: E2eStack;
let mcp: Client;

beforeAll(async () => {
  stack = await startE2eStack({ webhooks: 'sandbox', feedPollIntervalMs: 600_000 });
  mcp = await connectHttp(stack.api.url, stack.apiToken);
});
afterAll(async () => {
  await mcp?.close();
  await stack?.stop();
});

async function http(
  method: string,
  url: string,
  payload?: unknown,
): Promise<{ status: number; text: string }> {
  const res = await call(stack.api.url, {
    method,
    url,
    payload,
    headers: { authorization: `Bearer ${stack.apiToken}` },
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url} → ${res.statusCode} ${res.text}`);
  return { status: res.statusCode, text: res.text };
}

async function cli(...args: string[]): Promise<string> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    connect: () =>
      connectEngagementClient({ address: stack.env.address, namespace: 'default' }, { door: 'cli' }),
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    isTTY: false,
    now: () => Date.now(),
  };
  const code = await runCli(args, io);
  if (code !== 0) throw new Error(`engagements ${args.join(' ')} → exit ${code}: ${err.join(' ')}`);
  return out.join('\n');
}

it('records every decision in order, with doors, keys, the edit, the expiry and the decline; amounts add up', async () => {
  const { proposalId } = await stack.control.createProposal({ token: stack.token });
  const engagementId = `engagement-${proposalId}`;
  const read = () => stack.engagements.getState(engagementId);
  const pending = (type: string, attempt = 1) =>
    waitForState(read, `${type} (attempt ${attempt})`, (s) =>
      s.pendingApprovals.find((a) => a.type === type && a.attempt === attempt),
    );

  // HTTP: start; the approvals are read every 5 s, so an expiry on OpenTrain's clock is seen quickly.
  await http('POST', '/engagements', {
    proposalId,
    firstMilestone: { name: 'Pilot', amountUsd: 100 },
    budgetUsd: 500,
    policy: {
      pollIntervalMinMs: 5_000,
      pollIntervalMaxMs: 5_000,
      maxReRequestsAfterExpiry: 1,
      continueAsNewAfterEvents: 1_000,
    },
  });
  await pending('proposal_hire');
  await stack.control.advanceClock(73 * 3_600_000);
  const again = await waitForState(
    read,
    'the hire asked again',
    (s) => s.pendingApprovals.find((a) => a.type === 'proposal_hire' && a.attempt === 2),
    30_000,
  );
  // The human lowers the first milestone to $80 before confirming.
  await stack.control.confirmApproval(again.approvalId, { milestone: { amount: 80 } });
  const first = await waitForState(read, 'the contract', (s) =>
    s.phase === 'active' ? s.milestones.find((m) => m.status === 'ACTIVE_FUNDED') : undefined,
  );
  expect(first.amountUsd).toBe(80);

  // A continue-as-new: enough unrelated OpenTrain notices to pass the policy's minimum of 1,000 events.
  const handle = stack.env.client.workflow.getHandle(engagementId);
  const firstRun = (await handle.describe()).runId;
  for (let i = 0; i < 1_100; i += 100)
    await Promise.all(
      Array.from({ length: 100 }, (_, j) =>
        handle.signal(openTrainEventSignal, {
          eventId: `evt_${i + j}`,
          type: 'noise',
          contractId: 'c_other',
        }),
      ),
    );
  for (let waited = 0; (await handle.describe()).runId === firstRun; waited += 200) {
    if (waited > 60_000) throw new Error('the engagement did not continue-as-new');
    await new Promise((r) => setTimeout(r, 200));
  }

  // CLI: add and fund milestone 2; the human declines; MCP: retry; the human confirms.
  const added = JSON.parse(
    await cli(
      'milestone',
      'add',
      engagementId,
      '--description',
      'Batch 2',
      '--amount',
      '50',
      '--fund',
      '--json',
      '--idempotency-key',
      'cli-add-2',
    ),
  ) as { milestone: { id: string } };
  const second = added.milestone.id;
  const fund = await pending('milestone_fund');
  await stack.control.declineApproval(fund.approvalId);
  await waitForState(read, 'the funding parked', (s) =>
    s.parked.find((p) => p.approvalId === fund.approvalId),
  );
  await structured(mcp, 'retry', {
    engagementId,
    approvalId: fund.approvalId,
    idempotencyKey: 'mcp-retry-2',
  });
  const refund = await waitForState(read, 'the funding asked again', (s) =>
    s.pendingApprovals.find((a) => a.type === 'milestone_fund' && a.approvalId !== fund.approvalId),
  );
  await stack.control.confirmApproval(refund.approvalId);
  await waitForState(read, 'milestone 2 funded', (s) =>
    s.milestones.find((m) => m.id === second && m.status === 'ACTIVE_FUNDED'),
  );

  // Library: release milestone 1, then end (co-signed: milestone 2 is still in escrow and is refunded).
  await stack.engagements.releaseMilestone(engagementId, first.id, { idempotencyKey: 'lib-release-1' });
  await stack.control.confirmApproval((await pending('milestone_approve')).approvalId);
  await waitForState(read, 'milestone 1 paid', (s) =>
    s.milestones.find((m) => m.id === first.id && m.status === 'PAID'),
  );
  await stack.engagements.end(engagementId, { idempotencyKey: 'lib-end' });
  await stack.control.confirmApproval((await pending('contract_end')).approvalId);
  const final: EngagementState = await handle.result();
  expect(final.phase).toBe('ended');

  const trail = await stack.engagements.audit(engagementId);
  expect(trail.runs.length).toBeGreaterThanOrEqual(2);
  const find = (pick: (e: AuditEntry) => boolean, what: string) => {
    const found = trail.entries.find(pick);
    if (!found) throw new Error(`no ${what} in ${JSON.stringify(trail.entries, null, 1)}`);
    return found;
  };
  const at = (e: AuditEntry) => trail.entries.indexOf(e);

  // Each intent, with its door and its key.
  const start = find((e) => e.kind === 'intent' && e.operation === 'start', 'start');
  expect(start).toMatchObject({ door: 'http', idempotencyKey: 'hire', run: 1 });
  expect(find((e) => e.operation === 'addMilestone', 'add')).toMatchObject({
    kind: 'intent',
    door: 'cli',
    idempotencyKey: 'cli-add-2',
  });
  expect(find((e) => e.operation === 'retry', 'retry')).toMatchObject({
    kind: 'intent',
    door: 'mcp',
    idempotencyKey: 'mcp-retry-2',
    approvalId: fund.approvalId,
  });
  expect(find((e) => e.operation === 'releaseMilestone', 'release')).toMatchObject({
    door: 'library',
    idempotencyKey: 'lib-release-1',
  });
  expect(find((e) => e.operation === 'endContract', 'end')).toMatchObject({
    door: 'library',
    idempotencyKey: 'lib-end',
  });

  // The hire: requested, expired, asked again, confirmed after the human's edit ($100 → $80, fees on $80).
  const hireRequest = find((e) => e.kind === 'opentrain_request' && e.operation === 'hire', 'hire request');
  expect(hireRequest).toMatchObject({ amountUsd: 100, feesUsd: 19.95, idempotencyKey: 'hire' });
  const expiry = find((e) => e.kind === 'expiry', 'expiry');
  expect(expiry).toMatchObject({ approvalType: 'proposal_hire', decidedBy: 'nobody (expired)' });
  const reRequest = find((e) => e.kind === 're_request' && e.operation === 'hire', 'hire re-request');
  const hired = find((e) => e.kind === 'approval' && e.approvalType === 'proposal_hire', 'hire approval');
  expect(hired).toMatchObject({
    outcome: 'confirmed',
    decidedBy: 'human',
    approvalId: again.approvalId,
    amountBeforeEditUsd: 100,
    amountUsd: 80,
    feesUsd: 17.95,
    milestoneId: first.id,
  });
  expect(at(hireRequest)).toBeLessThan(at(expiry));
  expect(at(expiry)).toBeLessThan(at(reRequest));
  expect(at(reRequest)).toBeLessThan(at(hired));

  // The decline, its park, the retry's new request and its confirmation, in that order.
  const declined = find((e) => e.kind === 'approval' && e.outcome === 'declined', 'decline');
  expect(declined).toMatchObject({
    approvalId: fund.approvalId,
    milestoneId: second,
    amountUsd: 50,
    feesUsd: 5,
    decidedBy: 'human',
  });
  const park = find((e) => e.kind === 'park' && e.approvalId === fund.approvalId, 'park');
  const funded = find((e) => e.kind === 'approval' && e.approvalId === refund.approvalId, 'second funding');
  expect(funded).toMatchObject({ outcome: 'confirmed', amountUsd: 50, feesUsd: 5 });
  expect(at(declined)).toBeLessThan(at(park));
  expect(at(park)).toBeLessThan(at(funded));
  expect(trail.entries.some((e) => e.kind === 'continue_as_new')).toBe(true);
  expect(trail.entries.map((e) => e.seq)).toEqual(trail.entries.map((_, i) => i + 1));
  expect([...trail.entries.map((e) => e.at)]).toEqual([...trail.entries.map((e) => e.at)].sort());

  // The amounts add up to the contract's totals: confirmed fundings minus refunds are what the state shows.
  expect(trail.totals).toEqual({
    fundedUsd: 130,
    releasedUsd: 80,
    feesUsd: 22.95,
    refundedUsd: 50,
    refundedFeesUsd: 5,
  });
  expect(trail.totals.fundedUsd - trail.totals.refundedUsd).toBeCloseTo(final.totals.fundedUsd, 2);
  expect(trail.totals.releasedUsd).toBeCloseTo(final.totals.releasedUsd, 2);
  expect(trail.totals.feesUsd - trail.totals.refundedFeesUsd).toBeCloseTo(final.totals.feesUsd, 2);

  // The same trail through HTTP (JSON and CSV) and the CLI.
  const viaHttp = JSON.parse((await http('GET', `/engagements/${engagementId}/audit`)).text) as AuditTrail;
  expect(viaHttp.entries).toEqual(trail.entries);
  const csv = (await http('GET', `/engagements/${engagementId}/audit?format=csv`)).text;
  const lines = csv.trimEnd().split('\r\n');
  expect(lines[0]).toBe(
    'seq,at,run,kind,operation,door,idempotencyKey,approvalId,approvalType,milestoneId,amountUsd,amountBeforeEditUsd,feesUsd,outcome,decidedBy,detail',
  );
  expect(lines).toHaveLength(trail.entries.length + 1);
  expect(await cli('audit', engagementId, '--format', 'csv')).toBe(csv.trimEnd());
  if (process.env.AUDIT_EXPORT_FILE)
    await writeFile(process.env.AUDIT_EXPORT_FILE, `${csv}\n${JSON.stringify(trail, null, 2)}\n`);
});
