import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { EngagementOperations } from '../../engagement-client';
import { createEngagementsMcpServer } from '../../mcp/server';
import type { ErrorBody } from '../schemas';

export interface McpRouteOptions {
  /** A client for the `mcp` door. */
  engagements: EngagementOperations;
  /** Host names served besides the loopback ones (MCP_ALLOWED_HOSTS), e.g. the compose service name. */
  allowedHosts?: readonly string[];
}

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/**
 * Streamable HTTP at `/mcp`, stateless: each POST gets its own server and transport, so nothing is kept between
 * requests and any API instance can answer. The bearer token is checked by the API's hook like on every route;
 * here the Host and Origin must name this machine (or an allowed host), so a web page that rebinds its own DNS
 * name to 127.0.0.1 cannot drive the tools from a browser.
 */
export function mcpRoutes(options: McpRouteOptions): FastifyPluginAsync {
  const allowed = new Set([...LOOPBACK, ...(options.allowedHosts ?? [])].map((h) => h.toLowerCase()));
  return async (app) => {
    app.post('/mcp', { schema: { hide: true } }, async (request, reply) => {
      const refusal = rebindingRefusal(request, allowed);
      if (refusal) return reply.code(403).send(refusal);
      const server = createEngagementsMcpServer({ engagements: options.engagements });
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      reply.hijack();
      reply.raw.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(request.raw, reply.raw, request.body);
    });
    // Stateless: no server-initiated stream (GET) and no session to end (DELETE).
    for (const method of ['GET', 'DELETE'] as const) {
      app.route({
        method,
        url: '/mcp',
        schema: { hide: true },
        handler: async (request: FastifyRequest, reply: FastifyReply) => {
          const refusal = rebindingRefusal(request, allowed);
          if (refusal) return reply.code(403).send(refusal);
          return reply
            .code(405)
            .header('allow', 'POST')
            .send({ error: 'This MCP endpoint is stateless: POST only', code: 'METHOD_NOT_ALLOWED' });
        },
      });
    }
  };
}

/** Why a request's Host or Origin is not ours, or undefined when both are. */
function rebindingRefusal(request: FastifyRequest, allowed: ReadonlySet<string>): ErrorBody | undefined {
  const host = hostnameOf(`http://${request.headers.host ?? ''}`);
  if (!host || !allowed.has(host))
    return { error: `Host ${request.headers.host ?? '(none)'} is not served here`, code: 'FORBIDDEN_HOST' };
  const origin = request.headers.origin;
  if (origin !== undefined && !allowed.has(hostnameOf(origin) ?? ''))
    return { error: `Origin ${origin} may not use this endpoint`, code: 'FORBIDDEN_ORIGIN' };
  return undefined;
}

function hostnameOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}
