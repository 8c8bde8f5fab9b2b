import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { EngagementOperations } from '../engagement-client';
import type { EngagementTool, ToolContext } from './tool';
import { toolErrorOf } from './tool-errors';
import { engagementTools } from './tools';

export interface McpServerOptions {
  /** A client for the `mcp` door (its intents are recorded as coming through MCP). */
  engagements: EngagementOperations;
  /** Defaults to every engagement tool; extend with `[...engagementTools, more]`. */
  tools?: readonly EngagementTool[];
  now?: () => number;
}

const INSTRUCTIONS =
  'Durable hires of human AI trainers on OpenTrain. Every money move (hire, fund, release, end) waits for the ' +
  "human's co-sign: a result's first lines say what the human must approve, where, and how long is left. Use " +
  'wait_for_engagement to follow an engagement, and an idempotencyKey per operation so a repeat is safe.';

/**
 * The MCP server of the engagements, one per session (stdio) or per request (stateless Streamable HTTP): the tools
 * of the table and the `engagement://{engagementId}` resources. A failing tool answers a tool error; none ends the
 * server.
 */
export function createEngagementsMcpServer(options: McpServerOptions): McpServer {
  const server = new McpServer(
    { name: 'opentrain-engagements', version: '0.1.0' },
    { instructions: INSTRUCTIONS, capabilities: { tools: {}, resources: {} } },
  );
  const ctx: ToolContext = { engagements: options.engagements, now: options.now ?? Date.now };
  for (const tool of options.tools ?? engagementTools) registerTool(server, tool, ctx);
  registerEngagementResources(server, options.engagements);
  return server;
}

function registerTool(server: McpServer, tool: EngagementTool, ctx: ToolContext): void {
  server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: tool.input,
      outputSchema: tool.output,
      annotations: { title: tool.title, ...tool.annotations },
    },
    async (args: Record<string, unknown>) => {
      try {
        const answer = await tool.run(args, ctx);
        return {
          content: [{ type: 'text' as const, text: answer.text }],
          structuredContent: answer.structured,
        };
      } catch (err) {
        return toolErrorOf(err);
      }
    },
  );
}

/** `engagement://{engagementId}`: the state as JSON, listed from Temporal's visibility (search attributes). */
function registerEngagementResources(server: McpServer, engagements: EngagementOperations): void {
  const template = new ResourceTemplate('engagement://{engagementId}', {
    list: async () => ({
      resources: (await engagements.list()).map((e) => ({
        uri: `engagement://${e.engagementId}`,
        name: e.engagementId,
        description: `${e.phase ?? e.status}${e.contractId ? `, contract ${e.contractId}` : ''}`,
        mimeType: 'application/json',
      })),
    }),
  });
  server.registerResource(
    'engagement',
    template,
    {
      title: 'Engagement state',
      description: 'The state query of one engagement',
      mimeType: 'application/json',
    },
    async (uri, variables) => {
      const state = await engagements.getState(String(variables.engagementId));
      return {
        contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(state, null, 2) }],
      };
    },
  );
}
