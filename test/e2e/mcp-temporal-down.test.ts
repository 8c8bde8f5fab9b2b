import { createServer } from 'node:net';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { FastifyInstance } from 'fastify';
import { connectEngagementClient } from '../../client/connection';
import type { ConnectedEngagementClient } from '../../client/connection';
import { buildApi } from '../../client/http/api';
import { listenLocal } from '../client/http-call';
import { callTool, connectHttp, connectStdio, textOf } from './support/mcp';

/**
 * Temporal out of reach: the MCP server starts anyway, answers each call with `temporal_unavailable` (not a
 * crash, not a hang), and keeps serving. No Temporal server runs in this file at all.
 */

jest.setTimeout(120_000);

/** A port nothing listens on: bound once to learn a free one, then released. */
async function deadAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `127.0.0.1:${port}`;
}

let stdio: { client: Client; stderr: string[] };
let http: Client;
let app: FastifyInstance;
let temporal: ConnectedEngagementClient;
const apiToken = 'mcp-test-token-0123456789';

beforeAll(async () => {
  const address = await deadAddress();
  stdio = await connectStdio(address);
  temporal = await connectEngagementClient({ address, namespace: 'default' }, { lazy: true });
  app = await buildApi({
    engagements: temporal.engagements,
    mcp: { engagements: temporal.engagements.forDoor('mcp') },
    apiToken,
  });
  http = await connectHttp(await listenLocal(app), apiToken);
});
afterAll(async () => {
  await stdio?.client.close();
  await http?.close();
  await app?.close();
  await temporal?.close();
});

describe.each([
  ['stdio', () => stdio.client],
  ['Streamable HTTP', () => http],
])('over %s with Temporal down', (_name, client) => {
  it('answers temporal_unavailable for reads and mutations, and keeps serving', async () => {
    const read = await callTool(client(), 'get_engagement', { engagementId: 'engagement-prp_1' });
    expect(read.isError).toBe(true);
    expect(textOf(read)).toMatch(/^temporal_unavailable: cannot reach the Temporal server/);
    const write = await callTool(client(), 'end_contract', {
      engagementId: 'engagement-prp_1',
      idempotencyKey: 'end-1',
    });
    expect(textOf(write)).toMatch(/^temporal_unavailable:/);
    // Bad input is still judged without Temporal, and the server still lists its tools.
    const bad = await callTool(client(), 'fund_milestone', { engagementId: 'engagement-prp_1' });
    expect(textOf(bad)).toMatch(/milestoneId/);
    // The eleven engagement tools and the two thread tools (send_message, list_messages).
    expect((await client().listTools()).tools.length).toBe(13);
  });
});

it('keeps protocol alone on stdout: the startup line goes to stderr', () => {
  expect(stdio.stderr.join('')).toMatch(/engagements-mcp: serving on stdio/);
});
