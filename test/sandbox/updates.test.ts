import { hire, useTestSandbox } from './support';

const env = useTestSandbox();

describe('GET /updates', () => {
  it('pages the account history oldest first with numeric cursors, hasMore and an echoed cursor at the end', async () => {
    const api = await env.account();
    await hire(env, api);
    const all = (await api.get('/updates?limit=200')).body;
    expect(all.hasMore).toBe(false);
    expect(all.events).toHaveLength(5);
    const ids = all.events.map((e: { id: string }) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    for (const event of all.events) {
      expect(event).toEqual({
        id: expect.stringMatching(/^\d+$/),
        type: expect.any(String),
        apiVersion: 'v1',
        createdAt: expect.stringMatching(/Z$/),
        resourceId: expect.any(String),
        jobId: expect.any(String),
        data: expect.any(Object),
      });
    }

    const first = (await api.get('/updates?limit=2')).body;
    expect(first.events).toEqual(all.events.slice(0, 2));
    expect(first).toMatchObject({ nextCursor: all.events[1].id, hasMore: true });
    const second = (await api.get(`/updates?limit=2&cursor=${first.nextCursor}`)).body;
    expect(second.events).toEqual(all.events.slice(2, 4));
    const last = (await api.get(`/updates?limit=2&cursor=${second.nextCursor}`)).body;
    expect(last).toMatchObject({ events: [all.events[4]], hasMore: false, nextCursor: all.events[4].id });
    const empty = (await api.get(`/updates?cursor=${last.nextCursor}`)).body;
    expect(empty).toEqual({ events: [], nextCursor: last.nextCursor, hasMore: false });
  });

  it('never shows another account its events', async () => {
    const api = await env.account();
    await hire(env, api);
    const other = await env.account();
    expect((await other.get('/updates')).body).toEqual({ events: [], nextCursor: null, hasMore: false });
  });

  it('drops event types the token cannot read and 403s a token with none of the read scopes', async () => {
    const api = await env.account();
    await hire(env, api);
    await env.control.updateAccount(api.token ?? '', { scopes: ['proposals:read'] });
    const types = (await api.get('/updates')).body.events.map((e: { type: string }) => e.type);
    expect(types).toEqual(['proposal.received', 'proposal.status_changed']);

    await env.control.updateAccount(api.token ?? '', { scopes: ['jobs:read'] });
    const denied = await api.get('/updates');
    expect(denied.status).toBe(403);
    expect(denied.body.details.requiredScopes).toEqual(['proposals:read', 'messages:read', 'payments:read']);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['limit=ten', 'limit'],
    ['cursor=abc', 'cursor'],
  ])('answers 400 to %s naming %s', async (query, field) => {
    const api = await env.account();
    const response = await api.get(`/updates?${query}`);
    expect(response.status).toBe(400);
    expect(response.body.details.field).toBe(field);
  });
});
