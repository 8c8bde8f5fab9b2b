import { appendFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { EngagementState, MilestoneView } from '../../../domain/engagement-view';
import type { LifecycleDriver } from './lifecycle';

/** The SDK's own MCP client, the way an agent's host runs it. */

const ROOT = `${__dirname}/../../..`;

/** `npm run -s mcp` as a host would spawn it: its stderr is kept for the test, its stdout is the protocol. */
export async function connectStdio(
  temporalAddress: string,
  extraEnv: Record<string, string> = {},
): Promise<{ client: Client; stderr: string[] }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [require.resolve('ts-node/dist/bin.js'), '--transpile-only', `${ROOT}/client/mcp/main.ts`],
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: 'default',
      ...extraEnv,
    },
    stderr: 'pipe',
  });
  const stderr: string[] = [];
  transport.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const client = new Client({ name: 'engagements-test', version: '1.0.0' });
  const transcript = process.env.MCP_TRANSCRIPT_FILE;
  if (transcript) recordTranscript(transport, transcript);
  await client.connect(transport);
  if (transcript) recordTranscript(transport, transcript, 'received');
  return { client, stderr };
}

/**
 * With MCP_TRANSCRIPT_FILE set, appends every JSON-RPC message of the session to that file, one line each (`→` sent,
 * `←` received): a real session to show. Sending is wrapped before connecting, receiving after (the client sets it).
 */
function recordTranscript(transport: Transport, file: string, side: 'sent' | 'received' = 'sent'): void {
  const line = (arrow: string, message: unknown) =>
    appendFileSync(file, `${arrow} ${JSON.stringify(message)}\n`);
  if (side === 'sent') {
    const send = transport.send.bind(transport);
    transport.send = (message, options) => (line('→', message), send(message, options));
    return;
  }
  const receive = transport.onmessage;
  transport.onmessage = (message, extra) => (line('←', message), receive?.(message, extra));
}

export async function connectHttp(apiUrl: string, bearerToken: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${apiUrl}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${bearerToken}` } },
  });
  const client = new Client({ name: 'engagements-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

export type ToolResult = CallToolResult & { structuredContent?: Record<string, unknown> };

export async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

/** A tool's structured result; a tool error fails the test with its text. */
export async function structured<T>(client: Client, name: string, args: Record<string, unknown>): Promise<T> {
  const result = await callTool(client, name, args);
  const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
  if (result.isError) throw new Error(`${name} failed: ${text}`);
  return result.structuredContent as T;
}

export function textOf(result: ToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

/** The lifecycle's operations as MCP tool calls. */
export function mcpDriver(client: Client): LifecycleDriver {
  return {
    start: async (proposalId) =>
      (
        await structured<{ engagementId: string }>(client, 'start_engagement', {
          proposalId,
          firstMilestone: { name: 'Pilot', amountUsd: 120 },
          idempotencyKey: `start-${proposalId}`,
        })
      ).engagementId,
    state: (engagementId) => structured<EngagementState>(client, 'get_engagement', { engagementId }),
    addFundedMilestone: async (engagementId, description, amountUsd) =>
      (
        await structured<MilestoneView>(client, 'add_milestone', {
          engagementId,
          description,
          amountUsd,
          fund: true,
          idempotencyKey: `add-${description}`,
        })
      ).id,
    release: async (engagementId, milestoneId) =>
      void (await structured(client, 'release_milestone', {
        engagementId,
        milestoneId,
        idempotencyKey: `release-${milestoneId}`,
      })),
    end: async (engagementId) =>
      void (await structured(client, 'end_contract', {
        engagementId,
        idempotencyKey: `end-${engagementId}`,
      })),
  };
}
