import { UPDATES_FEED_WORKFLOW_ID } from '../../domain/ids';
import { readFeedStatus } from '../../client/updates-feed';
import { updatesDoorbellSignal } from '../../workflows/updates-feed-messages';
import type { PlatformEvent } from '../../opentrain';
import { postWebhook, signWebhook } from '../client/webhook-delivery';
import { startAwaitingHire } from './support/engagements';
import { startE2eStack } from './support/stack';
import type { E2eStack } from './support/stack';
import { waitUntil } from '../workflows/support/engagement-handle';
import { expectStillAfter, waitForState } from './support/wait';

/**
 * Hand-made deliveries against the whole stack. The feed's interval is 10 minutes, its fast rhythm too (no fast
 * polls while the first test waits for its first ring), and engagements poll their approvals every 5 minutes at
 * first, so within these tests only an accepted doorbell can move an engagement.
 */

jest.setTimeout(120_000);
let stack: E2eStack;

beforeAll(async () => {
  stack = await startE2eStack({
    webhooks: 'manual',
    feedPollIntervalMs: 600_000,
    feedFastPollIntervalMs: 600_000,
  });
});
afterAll(() => stack?.stop());

let deliveries = 0;
function deliver(
  event: PlatformEvent,
  options: { secret?: string; atSec?: number; deliveryId?: string } = {},
) {
  const body = JSON.stringify(event);
  return postWebhook(stack.api.url, body, {
    'user-agent': 'OpenTrain-Webhooks/1.0',
    'x-opentrain-event': event.type,
    'x-opentrain-delivery': options.deliveryId ?? `dlv_test_${++deliveries}`,
    'x-opentrain-signature': signWebhook(options.secret ?? stack.webhookSecret ?? '', body, options.atSec),
  });
}

/** An engagement waiting for its hire approval, which the human then confirms (the event lands in /updates). */
async function hireConfirmedButNotYetKnown(): Promise<{ engagementId: string; event: PlatformEvent }> {
  const { engagementId, approval } = await startAwaitingHire(stack);
  await stack.control.confirmApproval(approval.approvalId);
  return { engagementId, event: await eventFor(approval.approvalId) };
}

async function approvalResolvedSignals(engagementId: string) {
  const history = await stack.env.client.workflow.getHandle(engagementId).fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const signal = e.workflowExecutionSignaledEventAttributes;
    return signal?.signalName === 'approvalResolved' ? [signal] : [];
  });
}

async function eventFor(approvalId: string): Promise<PlatformEvent> {
  let cursor: string | undefined;
  for (;;) {
    const page = await stack.openTrain.getUpdates({ cursor, limit: 200 });
    const found = page.events.find(
      (e) => e.type === 'approval.confirmed' && e.data.approvalId === approvalId,
    );
    if (found) return found;
    if (!page.hasMore) throw new Error(`no approval.confirmed event for ${approvalId}`);
    cursor = page.nextCursor ?? undefined;
  }
}

const phaseOf = (engagementId: string) => async () => (await stack.engagements.getState(engagementId)).phase;
const becomesActive = (engagementId: string) =>
  waitForState(
    () => stack.engagements.getState(engagementId),
    'the contract',
    (s) => (s.phase === 'active' ? s : undefined),
  );

it('rejects forged and stale deliveries without moving anything, then acts on the genuine one', async () => {
  const { engagementId, event } = await hireConfirmedButNotYetKnown();
  const forged = await deliver(event, { secret: 'whsec_not_the_real_one' });
  expect(forged.statusCode).toBe(400);
  const stale = await deliver(event, { atSec: Math.floor(Date.now() / 1000) - 10 * 60 });
  expect(stale.statusCode).toBe(400);
  expect(await expectStillAfter(phaseOf(engagementId), 1_500)).toBe('awaiting_hire_approval');

  const genuine = await deliver(event);
  expect(genuine.statusCode).toBe(202);
  await becomesActive(engagementId);
});

it('acts once on a duplicated delivery, routed to its engagement without a poll', async () => {
  const { engagementId, event } = await hireConfirmedButNotYetKnown();
  const before = await readFeedStatus(stack.env.client);
  const first = await deliver(event, { deliveryId: 'dlv_dup' });
  const again = await deliver(event, { deliveryId: 'dlv_dup' });
  expect([first.statusCode, again.statusCode]).toEqual([202, 200]);
  expect(again.json()).toEqual({ duplicate: true });
  await becomesActive(engagementId);
  await expectStillAfter(async () => (await readFeedStatus(stack.env.client)).polls, 1_000);
  expect((await readFeedStatus(stack.env.client)).polls).toBe(before.polls);
  expect(await approvalResolvedSignals(engagementId)).toHaveLength(1);
});

it('handles deliveries out of order: each moves its own engagement, and the ledger poll repeats neither', async () => {
  const a = await hireConfirmedButNotYetKnown();
  const b = await hireConfirmedButNotYetKnown();
  expect(Number(b.event.id)).toBeGreaterThan(Number(a.event.id));

  expect((await deliver(b.event)).statusCode).toBe(202);
  const stateB = await becomesActive(b.engagementId);
  // The later delivery went straight to its engagement; the earlier event waits for its own delivery (or for
  // the feed's interval poll, had it been lost).
  expect(await expectStillAfter(phaseOf(a.engagementId), 1_000)).toBe('awaiting_hire_approval');
  expect((await deliver(a.event)).statusCode).toBe(202);
  const stateA = await becomesActive(a.engagementId);
  await stack.env.client.workflow.getHandle(UPDATES_FEED_WORKFLOW_ID).signal(updatesDoorbellSignal, {});
  await waitUntil(
    async () => Number((await readFeedStatus(stack.env.client)).cursor) >= Number(b.event.id),
    10_000,
  );
  for (const { engagementId } of [a, b]) expect(await approvalResolvedSignals(engagementId)).toHaveLength(1);

  // Never a wrong or repeated action: one hire request and one contract per proposal.
  const hires = (await stack.control.requests()).filter(
    (r) => r.method === 'POST' && r.path.endsWith('/hire'),
  );
  for (const state of [stateA, stateB]) {
    expect(hires.filter((r) => r.path.includes(state.proposalId))).toHaveLength(1);
    expect((await stack.openTrain.listContracts({ jobId: state.jobId })).length).toBe(1);
  }
});

it('does not lose an event that happened while the API process was down', async () => {
  const { engagementId, approval } = await startAwaitingHire(stack);
  const feedRun = (await stack.env.client.workflow.getHandle(UPDATES_FEED_WORKFLOW_ID).describe()).runId;

  await stack.restartApi(() => stack.control.confirmApproval(approval.approvalId).then(() => undefined));

  // The new API process finds the same feed (and so the same durable cursor); its first doorbell routes the event.
  expect((await stack.env.client.workflow.getHandle(UPDATES_FEED_WORKFLOW_ID).describe()).runId).toBe(
    feedRun,
  );
  const event = await eventFor(approval.approvalId);
  const polls = async () =>
    (await stack.control.requests()).filter((r) => r.method === 'GET' && r.path.endsWith('/v1/updates'))
      .length;
  const pollsBefore = await polls();
  expect((await deliver(event)).statusCode).toBe(202);
  await becomesActive(engagementId);
  // The feed knew which engagement awaits the decision, so the receiver delivered it there: no poll for it.
  expect(await polls()).toBe(pollsBefore);
  // The feed still reads it from the ledger at its next poll (here a plain ring), or its cursor would skip an
  // event, and does not deliver it a second time.
  await stack.env.client.workflow.getHandle(UPDATES_FEED_WORKFLOW_ID).signal(updatesDoorbellSignal, {});
  await waitUntil(
    async () => Number((await readFeedStatus(stack.env.client)).cursor) >= Number(event.id),
    10_000,
  );
  expect(await approvalResolvedSignals(engagementId)).toHaveLength(1);
});

it('wakes the awaiting engagement straight from a verified decision, ahead of the feed', async () => {
  const { engagementId, event } = await hireConfirmedButNotYetKnown();
  expect((await deliver(event)).statusCode).toBe(202);
  await becomesActive(engagementId);
  const resolved = await approvalResolvedSignals(engagementId);
  // The first came from the API (no sending workflow); the feed's copy of the same event, if any, came later.
  expect(resolved[0]?.externalWorkflowExecution).toBeFalsy();
  expect(
    resolved.slice(1).every((s) => s.externalWorkflowExecution?.workflowId === UPDATES_FEED_WORKFLOW_ID),
  ).toBe(true);
});
