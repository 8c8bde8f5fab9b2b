#!/usr/bin/env node
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { processConfig } from '../../config';
import { connectEngagementClient, temporalSettingsFromConfig, threadReaderFromConfig } from '../connection';
import { createEngagementsMcpServer } from './server';

/**
 * The `engagements-mcp` bin (`npm run -s mcp`): the MCP server over stdio, Temporal from TEMPORAL_ADDRESS /
 * TEMPORAL_NAMESPACE, payload keys when set, and the OpenTrain token when set (it serves `list_messages` only). Stdout carries the protocol and nothing else; every log line goes to stderr. The connection
 * is lazy, so the server starts and answers (with `temporal_unavailable`) while Temporal is down.
 */
async function main(): Promise<void> {
  const config = processConfig();
  const settings = temporalSettingsFromConfig(config);
  const { engagements, close } = await connectEngagementClient(settings, {
    door: 'mcp',
    lazy: true,
    threadReader: threadReaderFromConfig(config),
  });
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
