import { STATUS_CODES } from 'node:http';
import { errorCodes } from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyServerOptions } from 'fastify';
import { z } from 'zod';
import { InputValidationError, rejectingUnknownKeys } from '../../domain/validation';
import type { ErrorBody } from './schemas';

/**
 * Where a request meets the server before any route: URL limits, the JSON parser and strict input. Every answer
 * here has the API's error body, so callers see one shape whatever refuses them.
 */

/**
 * The router's limit on one path parameter (fastify's default is 100). Above the longest id any schema accepts
 * (an engagement id: `engagement-` + 200 = ENGAGEMENT_ID_MAX_LENGTH), so every engagement a start returns is
 * served, and an over-long id still reaches its schema and gets a 400 naming the field; only a parameter past
 * this answers 414.
 */
export const MAX_PATH_PARAM_LENGTH = 1_000;

/** Keys refused anywhere in a JSON body: merged into another object later, they could reach its prototype. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor']);

export const edgeServerOptions: Pick<FastifyServerOptions, 'routerOptions' | 'frameworkErrors'> = {
  routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
  // Fastify answers these before routing with its own body (a 414 that says "Bad Request"); ours says what it is.
  frameworkErrors: (error, _request, reply) => {
    const status = error.statusCode ?? 400;
    const detail =
      error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? `a path parameter is longer than ${MAX_PATH_PARAM_LENGTH} characters`
        : error.message;
    const body: ErrorBody = { error: `${STATUS_CODES[status]}: ${detail}`, code: httpCode(status) };
    // The option is generic over every route's reply type; this answer fits none in particular.
    void (reply as FastifyReply).code(status).send(body);
  },
};

function httpCode(status: number): string {
  return (STATUS_CODES[status] ?? `HTTP ${status}`).toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

/**
 * Installs the JSON body parser and strict input on every route registered after it. Unknown body or query keys
 * are a 400 naming each one (the route schemas made strict with `rejectingUnknownKeys`, the same schemas the
 * library and the workflow use); keys named `__proto__` or `constructor` are a 400 naming their path instead of
 * fastify's "Body is not valid JSON".
 */
export function hardenInputs(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.length === 0) return done(new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY(), undefined);
    let value: unknown;
    try {
      // Plain JSON.parse makes `__proto__` an own property, never the prototype; it is then refused below.
      value = JSON.parse(text);
    } catch {
      return done(new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY(), undefined);
    }
    const refused = prototypeKeyPaths(value);
    if (refused.length === 0) return done(null, value);
    const issues = refused.map((path) => ({ path, message: 'is not allowed (a prototype key)' }));
    return done(new InputValidationError(issues, 'body'), undefined);
  });

  app.addHook('onRoute', (route) => {
    const schema = route.schema;
    if (!schema) return;
    if (schema.body instanceof z.ZodType) schema.body = rejectingUnknownKeys(schema.body);
    if (schema.querystring instanceof z.ZodType)
      schema.querystring = rejectingUnknownKeys(schema.querystring);
  });
}

/** Dotted paths of every prototype key in a parsed body; iterative, so a deeply nested body cannot overflow. */
function prototypeKeyPaths(root: unknown): string[] {
  interface Node {
    value: unknown;
    key?: string;
    parent?: Node;
  }
  const pathOf = (node: Node): string => {
    const keys: string[] = [];
    for (let at: Node | undefined = node; at?.key !== undefined; at = at.parent) keys.unshift(at.key);
    return keys.join('.');
  };
  const found: string[] = [];
  const stack: Node[] = [{ value: root }];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (typeof node.value !== 'object' || node.value === null) continue;
    for (const [key, value] of Object.entries(node.value)) {
      const child = { value, key, parent: node };
      if (PROTOTYPE_KEYS.has(key)) found.push(pathOf(child));
      else stack.push(child);
    }
  }
  return found.sort();
}
