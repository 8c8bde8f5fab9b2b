import { setTimeout as sleep } from 'node:timers/promises';
import { readFeedStatus } from '../../client/updates-feed';
import { startAwaitingHire } from './support/engagements';
import { libraryDriver, runLifecycle } from './support/lifecycle';
import { startE2eStack } from './support/stack';
import type { E2eStack } from './support/stack';

/**
 * Webhooks switched off entirely: no receiver, no subscription. The updates feed polls `/updates` every 300 ms and
 * engagements keep their default approval polling (5 minutes at first), so every step below that finishes in
 * seconds was carried by the feed.
 */

jest.setTimeout(120_000);
let stack: E2eStack;

beforeAll(async () => {
  stack = await startE2eStack({ webhooks: 'off', feedPollIntervalMs: 300 });
});
afterAll(() => stack?.stop());

it('runs the full lifecycle with webhooks off, every approval routed by the feed', async () => {
  await stack.control.clearRequests();
  const { proposalId } = await stack.control.createProposal({ token: stack.token });
  const { final, approvalsConfirmed } = await runLifecycle(
    libraryDriver(stack.engagements),
    stack.control,
    proposalId,
  );
  expect(final.phase).toBe('ended');
  expect(approvalsConfirmed).toBe(6);
  expect(await stack.control.deliveries()).toEqual([]);

  // Each approval is read once, by the engagement when told: the feed routes it by the engagement's own hint.
  const approvalReads = (await stack.control.requests()).filter((r) => /\/approvals\//.test(r.path));
  expect(approvalReads.length).toBeLessThanOrEqual(approvalsConfirmed);
});

it('makes OpenTrain calls that grow with time, not with the number of waiting engagements', async () => {
  for (let i = 0; i < 4; i++) await startAwaitingHire(stack, { name: `Waiting ${i}`, amountUsd: 10 });
  await stack.control.clearRequests();
  await sleep(3_000);
  const calls = await stack.control.requests();
  const paths = new Set(calls.map((c) => c.path.split('?')[0]));
  // Only the feed's polls: no per-engagement reads while all four wait for their human.
  expect([...paths]).toEqual(['/api/public/v1/updates']);
  expect(calls.length).toBeLessThanOrEqual(Math.ceil(3_000 / 300) + 2);
});

it('keeps its cursor in the feed workflow and reports it', async () => {
  const status = await readFeedStatus(stack.env.client);
  expect(Number(status.cursor)).toBeGreaterThan(0);
  expect(status.eventsRouted).toBeGreaterThanOrEqual(6);
  // The four hires still waiting told the feed so; the decided approvals were forgotten once routed.
  expect(status.awaitingApprovals).toBe(4);
  expect(status.lastError).toBeUndefined();
});
