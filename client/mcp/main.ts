#!/usr/bin/env node
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { connectEngagementClient, temporalSettingsFromEnv } from '../connection';
import { createEngagementsMcpServer } from './server';

/**
 * The `engagements-mcp` bin (`npm run -s mcp`): the MCP server over stdio, Temporal from TEMPORAL_ADDRESS /
 * TEMPORAL_NAMESPACE. Stdout carries the protocol and nothing else; every log line goes to stderr. The connection
 * is lazy, so the server starts and answers (with `temporal_unavailable`) while Temporal is down.
 */
async function main(): Promise<void> {
  const settings = temporalSettingsFromEnv();
  const { engagements, close } = await connectEngagementClient(settings, { door: 'mcp', lazy: true });
  const server = createEngagementsMcpServer({ engagements });
  const transport = new StdioServerTransport();
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await server.close();
    await close();
  };
  transport.onclose = () => void stop();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop());
  process.stdin.once('end', () => void stop());
  await server.connect(transport);
  process.stderr.write(
    `engagements-mcp: serving on stdio (Temporal ${settings.address}/${settings.namespace})\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`engagements-mcp: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
