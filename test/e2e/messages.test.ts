import { randomUUID } from 'node:crypto';
import { UpdateRejectedError } from '../../client/errors';
import type { EngagementState } from '../../domain/engagement-view';
import { FEATURES } from '../../sandbox/catalog';
import { call } from '../client/http-call';
import { startAwaitingHire } from './support/engagements';
import { startE2eStack } from './support/stack';
import type { E2eStack } from './support/stack';
import { waitForState } from './support/wait';

/**
 * The trainer's thread through the whole stack: dev server, sandbox (delivering webhooks), worker, HTTP API and
 * the updates feed. The feed's interval poll is 10 minutes, so a reply reaches the engagement only through the
 * sandbox's webhook → doorbell → `/updates` → `messageReceived` → thread read.
 */

jest.setTimeout(180_000);
let stack: E2eStack;

beforeAll(async () => {
  stack = await startE2eStack({ webhooks: 'sandbox', feedPollIntervalMs: 600_000 });
});
afterAll(() => stack?.stop());

const stateOf = (engagementId: string) => () => stack.engagements.getState(engagementId);

async function activeEngagement(): Promise<{ engagementId: string; state: EngagementState }> {
  const { engagementId, approval } = await startAwaitingHire(stack);
  await stack.control.confirmApproval(approval.approvalId);
  const state = await waitForState(stateOf(engagementId), 'the active contract', (s) =>
    s.phase === 'active' && s.jobDmConversationId ? s : undefined,
  );
  return { engagementId, state };
}

const api = (method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
  call(stack.api.url, {
    method,
    url,
    payload,
    headers: { authorization: `Bearer ${stack.apiToken}`, ...headers },
  });

it('briefs the trainer, and the reply shows in state (and wakes watch) within the feed latency', async () => {
  const { engagementId, state } = await activeEngagement();
  const conversationId = state.jobDmConversationId as string;
  const brief = 'Hi Maria — please label batch 1 by Friday; guidelines are in the job post.';
  const sent = await stack.engagements.sendMessage(engagementId, { content: brief });
  expect(sent).toMatchObject({ sender: 'you', content: brief });

  const abort = new AbortController();
  const watch = stack.engagements.watch(engagementId, { signal: abort.signal, pollIntervalMs: 100 });
  await watch.next(); // the current state
  const repliedAt = Date.now();
  await stack.control.replyAsTrainer(conversationId, 'Got it, starting today.');
  let woken: EngagementState | undefined;
  for await (const next of watch) {
    if (next.thread?.messages.some((m) => m.sender === 'trainer')) {
      woken = next;
      break;
    }
  }
  abort.abort();
  const latencyMs = Date.now() - repliedAt;
  console.log(`trainer reply visible in state after ${latencyMs} ms (webhook → feed → engagement)`);
  expect(latencyMs).toBeLessThan(10_000);
  expect(woken?.thread).toMatchObject({
    conversationId,
    unread: 1,
    messages: [
      { id: sent.id, sender: 'you', content: brief },
      { sender: 'trainer', content: 'Got it, starting today.' },
    ],
  });

  // Answering counts the reply as answered; the whole thread pages from OpenTrain through the API.
  await stack.engagements.sendMessage(engagementId, { content: 'Thanks!' });
  expect((await stack.engagements.getState(engagementId)).thread?.unread).toBe(0);
  const first = await api('GET', `/engagements/${engagementId}/messages?direction=newer&limit=2`);
  expect(first.statusCode).toBe(200);
  const second = await api(
    'GET',
    `/engagements/${engagementId}/messages?direction=newer&limit=2&cursor=${first.json().nextCursor}`,
  );
  expect(
    [...first.json().messages, ...second.json().messages].map((m: { content: string }) => m.content),
  ).toEqual([brief, 'Got it, starting today.', 'Thanks!']);
  expect(second.json().nextCursor).toBeNull();
});

it('a send answered 500 after commit leaves exactly one message on OpenTrain, and a repeat of its key sends none', async () => {
  const { engagementId, state } = await activeEngagement();
  const content = `Batch 2 guidelines ${randomUUID()}`;
  const idempotencyKey = randomUUID();
  await stack.control.setFaults({ failAfterCommitRate: 1 });
  let sent;
  try {
    sent = await stack.engagements.sendMessage(engagementId, { content }, { idempotencyKey });
  } finally {
    await stack.control.setFaults({});
  }
  const again = await stack.engagements.sendMessage(engagementId, { content }, { idempotencyKey });
  expect(again).toEqual(sent);
  const stored = await stack.control.conversationMessages(state.jobDmConversationId as string);
  expect(stored.filter((m) => m.content === content)).toHaveLength(1);
  expect(sent?.id).toBe(stored.find((m) => m.content === content)?.id);
  const after = await stack.engagements.getState(engagementId);
  expect(after.intents?.find((i) => i.key === idempotencyKey)).toMatchObject({
    kind: 'send_message',
    outcome: 'adopted',
  });
  // The same key with other content is refused, and sends nothing.
  await expect(
    stack.engagements.sendMessage(engagementId, { content: 'other words' }, { idempotencyKey }),
  ).rejects.toMatchObject({ failureType: 'idempotency_key_mismatch' });
  expect(await stack.control.conversationMessages(state.jobDmConversationId as string)).toHaveLength(1);
});

it('refuses bad content with a 400 naming the field, before anything reaches the engagement', async () => {
  const { engagementId } = await activeEngagement();
  for (const content of ['', 'x'.repeat(10_001), 42]) {
    const res = await api('POST', `/engagements/${engagementId}/messages`, { content });
    expect(res.statusCode).toBe(400);
    expect(res.json().fields).toEqual([expect.objectContaining({ path: 'content' })]);
  }
  const ok = await api('POST', `/engagements/${engagementId}/messages`, { content: 'x'.repeat(10_000) });
  expect(ok.statusCode).toBe(201);
});

it('names the remedy when OpenTrain refuses messaging, and refuses a message to an ended contract', async () => {
  const { engagementId, state } = await activeEngagement();
  await stack.control.updateAccount(stack.token, {
    features: FEATURES.filter((f) => f !== 'public_api_messaging_writes'),
  });
  try {
    const refused = await stack.engagements
      .sendMessage(engagementId, { content: 'hello' })
      .catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(UpdateRejectedError);
    expect(refused).toMatchObject({
      failureType: 'messaging_writes_disabled',
      details: expect.objectContaining({ remedy: expect.stringContaining('public_api_messaging_writes') }),
    });
  } finally {
    await stack.control.updateAccount(stack.token, { features: [...FEATURES] });
  }

  const approval = await stack.engagements.end(engagementId);
  const endApproval = approval.pendingApprovals.find((a) => a.type === 'contract_end');
  if (endApproval) await stack.control.confirmApproval(endApproval.approvalId);
  await waitForState(stateOf(engagementId), 'the ended contract', (s) =>
    s.phase === 'ended' ? s : undefined,
  );
  const res = await api('POST', `/engagements/${engagementId}/messages`, { content: 'One more thing' });
  expect(res.statusCode).toBe(409);
  expect(res.json().failureType).toBe('engagement_closed');
  const stored = await stack.control.conversationMessages(state.jobDmConversationId as string);
  expect(stored).toHaveLength(0);
});
