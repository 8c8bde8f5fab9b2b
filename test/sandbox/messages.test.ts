import { hire, useTestSandbox, type TestApi } from './support';

const env = useTestSandbox();

async function thread(api: TestApi): Promise<{ contractId: string; conversationId: string }> {
  const { contractId } = await hire(env, api);
  const { body } = await api.get(`/contracts/${contractId}`);
  return { contractId, conversationId: body.contract.jobDmConversationId };
}

describe('messages', () => {
  it("pages a thread both ways, and the trainer's reply control emits message.received", async () => {
    const api = await env.account();
    const { conversationId } = await thread(api);
    for (const content of ['one', 'two']) {
      expect((await api.post('/messages', { conversationId, content })).status).toBe(201);
    }
    await env.control.replyAsTrainer(conversationId, 'three');

    const newest = await api.get(`/messages?conversationId=${conversationId}&limit=2`);
    expect(newest.body.messages.map((m: { content: string }) => m.content)).toEqual(['three', 'two']);
    expect(newest.body.messages[0]).toMatchObject({ isFromViewer: false, hasUnreadFlag: true });
    const rest = await api.get(
      `/messages?conversationId=${conversationId}&limit=2&cursor=${newest.body.nextCursor}`,
    );
    expect(rest.body).toEqual({ messages: [expect.objectContaining({ content: 'one' })], nextCursor: null });
    const forward = await api.get(`/messages?conversationId=${conversationId}&direction=newer`);
    expect(forward.body.messages.map((m: { content: string }) => m.content)).toEqual(['one', 'two', 'three']);

    const listed = await api.get('/messages');
    expect(listed.body.conversations).toEqual([
      expect.objectContaining({
        id: conversationId,
        lastMessage: expect.objectContaining({ content: 'three' }),
      }),
    ]);
    const { events } = (await api.get('/updates?limit=200')).body;
    expect(events.filter((e: { type: string }) => e.type === 'message.received')).toEqual([
      expect.objectContaining({ data: { conversationId, messageId: newest.body.messages[0].id } }),
    ]);
  });

  it("refuses another account's thread (404), off-platform contact details (400), and an ended contract's thread (403)", async () => {
    const api = await env.account();
    const { contractId, conversationId } = await thread(api);
    const stranger = await env.account();
    expect((await stranger.post('/messages', { conversationId, content: 'hi' })).status).toBe(404);

    const leak = await api.post('/messages', { conversationId, content: 'mail me at maria@example.com' });
    expect(leak.status).toBe(400);
    expect(leak.body.details).toMatchObject({ reason: 'content_policy_violation', field: 'content' });

    const ended = await api.post(`/contracts/${contractId}/end`);
    if (ended.status === 202) await env.control.confirmApproval(ended.body.approval.id);
    const closed = await api.post('/messages', { conversationId, content: 'one more' });
    expect(closed.status).toBe(403);
    expect(closed.body.details.reason).toBe('conversation_closed');
  });

  it('rate-limits more than 20 sends a minute in one thread with 429 and Retry-After', async () => {
    const api = await env.account();
    const { conversationId } = await thread(api);
    for (let i = 0; i < 20; i++)
      expect((await api.post('/messages', { conversationId, content: `m${i}` })).status).toBe(201);
    const limited = await api.post('/messages', { conversationId, content: 'too fast' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
  });

  it('needs messages:write, the messaging feature and a claimed account to send', async () => {
    const api = await env.account({ scopes: ['payments:read', 'messages:read'] });
    expect(
      (await api.post('/messages', { conversationId: 'cnv_x', content: 'hi' })).body.details,
    ).toMatchObject({
      requiredScopes: ['messages:write'],
    });
    const unclaimed = await env.account({ claimed: false });
    expect(
      (await unclaimed.post('/messages', { conversationId: 'cnv_x', content: 'hi' })).body.details,
    ).toMatchObject({
      reason: 'account_claim_required',
    });
  });
});
