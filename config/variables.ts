import { z } from 'zod';
import { DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS } from '../opentrain/config';

/**
 * Every environment variable the worker, the HTTP API, the CLI, the sandbox and `npm start` read, documented once.
 * Each entry carries its meaning (`description`), the processes that read it (`usedBy`), and whether it is a secret
 * (`secret`: never logged, never quoted in an error). Defaults are the schemas' own `.default()`; where the default
 * depends on the process, `defaultText` says so. The README's table is generated from this file
 * (`npm run config:table`), and a test keeps the two equal.
 */
export interface VariableMeta {
  description: string;
  usedBy: string;
  secret?: boolean;
  /** The default in words, where it is not a single `.default()` value (or there is none). */
  defaultText?: string;
}

function variable<S extends z.ZodType>(schema: S, meta: VariableMeta): S {
  return schema.meta({ ...meta });
}

/** ~300 MiB of worker plus ~2.2 MiB per cached engagement (docs/performance.md, parked): about 1 GiB. */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 300;

const port = z.coerce.number().int().min(0, { error: 'must be a port (0-65535)' }).max(65_535, {
  error: 'must be a port (0-65535)',
});
const positiveInt = z.coerce
  .number()
  .int({ error: 'must be a whole number' })
  .positive({ error: 'must be > 0' });
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** `k1:<base64 of 32 bytes>,k2:…` → the keys by id. Malformed entries are named by position, never quoted. */
const encryptionKeys = z.string().transform((value, ctx) => {
  const keys = new Map<string, Buffer>();
  value.split(',').forEach((entry, index) => {
    const at = entry.indexOf(':');
    const id = entry.slice(0, at).trim();
    const key = Buffer.from(entry.slice(at + 1).trim(), 'base64');
    if (at <= 0 || !/^[A-Za-z0-9._-]+$/.test(id)) {
      ctx.issues.push({
        code: 'custom',
        message: `entry ${index + 1} is not <keyId>:<base64 key>`,
        input: '',
      });
    } else if (key.length !== 32) {
      ctx.issues.push({
        code: 'custom',
        message: `key "${id}" must be 32 bytes of base64 (AES-256), got ${key.length} bytes`,
        input: '',
      });
    } else if (keys.has(id)) {
      ctx.issues.push({ code: 'custom', message: `key id "${id}" appears twice`, input: '' });
    } else keys.set(id, key);
  });
  return keys;
});

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const variables = {
  TEMPORAL_ADDRESS: variable(z.string().min(1).default('127.0.0.1:7233'), {
    description: 'Temporal frontend (host:port).',
    usedBy: 'worker, API, CLI, npm start',
  }),
  TEMPORAL_NAMESPACE: variable(z.string().min(1).default('default'), {
    description: 'Temporal namespace of the engagements.',
    usedBy: 'worker, API, CLI, npm start',
  }),
  OPENTRAIN_API_TOKEN: variable(z.string().optional(), {
    description:
      'OpenTrain personal API token (`ot_pat_…`). Needed by the worker; by the API and CLI only to register the webhook and to read whole message threads.',
    usedBy: 'worker (API, CLI: optional)',
    secret: true,
    defaultText: 'unset: `npm start` runs the sandbox',
  }),
  OT_API_TOKEN: variable(z.string().optional(), {
    description: "The official OpenTrain CLI's name for the token; used when OPENTRAIN_API_TOKEN is unset.",
    usedBy: 'worker',
    secret: true,
  }),
  OPENTRAIN_API_BASE_URL: variable(
    httpUrl.default(DEFAULT_BASE_URL).transform((url) => url.replace(/\/+$/, '')),
    { description: 'OpenTrain public API base, including `/api/public/v1`.', usedBy: 'worker' },
  ),
  OPENTRAIN_API_TIMEOUT_MS: variable(positiveInt.default(DEFAULT_TIMEOUT_MS), {
    description: 'Per OpenTrain request, from sending to the last body byte.',
    usedBy: 'worker',
  }),
  NOTIFY_WEBHOOK_URL: variable(httpUrl.optional(), {
    description:
      'Where approval requests and reminders are POSTed as JSON for the human (may embed a secret).',
    usedBy: 'worker',
    secret: true,
    defaultText: 'unset (log lines only)',
  }),
  ENGAGEMENTS_API_TOKEN: variable(
    z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
    {
      description: 'Bearer token of the HTTP API (and its codec endpoint), at least 16 characters.',
      usedBy: 'API',
      secret: true,
      defaultText: 'required; `npm start` generates one',
    },
  ),
  HOST: variable(z.string().min(1).default('127.0.0.1'), {
    description: 'Interface the HTTP API listens on.',
    usedBy: 'API, npm start',
  }),
  PORT: variable(port.default(3000), { description: 'Port of the HTTP API.', usedBy: 'API, npm start' }),
  OPENTRAIN_WEBHOOK_SECRET: variable(z.string().optional(), {
    description: 'Signing secret of the OpenTrain webhook subscription; turns the receiver on.',
    usedBy: 'API',
    secret: true,
  }),
  PUBLIC_WEBHOOK_URL: variable(httpUrl.optional(), {
    description:
      'Public URL of `/webhooks/opentrain`; the API registers (or reuses) the subscription at start.',
    usedBy: 'API',
    defaultText: 'unset (the feed polls `/updates`)',
  }),
  UPDATES_POLL_INTERVAL_MS: variable(positiveInt.optional(), {
    description: "The updates feed's interval poll of `/updates`, when it starts.",
    usedBy: 'API, npm start',
    defaultText: '30000',
  }),
  WORKER_MAX_CACHED_WORKFLOWS: variable(positiveInt.default(DEFAULT_MAX_CACHED_WORKFLOWS), {
    description:
      'Engagements the worker keeps in memory (the sticky cache; ~2 MiB each). One past it is evicted and replayed from its history when it next wakes or is queried (tens of ms). Size it for the engagements that are active, not for all that wait.',
    usedBy: 'worker, npm start',
  }),
  WORKER_DEPLOYMENT_NAME: variable(z.string().optional(), {
    description:
      'Worker Versioning: the deployment this worker belongs to; with WORKER_BUILD_ID (both or neither) it polls as that build, AUTO_UPGRADE.',
    usedBy: 'worker',
    defaultText: 'unset (unversioned); set by `npm run cluster`',
  }),
  WORKER_BUILD_ID: variable(z.string().optional(), {
    description: 'Worker Versioning: this build of the deployment (e.g. a hash of `lib/`).',
    usedBy: 'worker',
    defaultText: 'unset (unversioned); set by `npm run cluster`',
  }),
  MCP_ALLOWED_HOSTS: variable(
    z
      .string()
      .optional()
      .transform((value) =>
        value
          ?.split(',')
          .map((host) => host.trim())
          .filter(Boolean),
      ),
    {
      description:
        'Host names (comma-separated) `/mcp` serves besides localhost, e.g. a compose service name (DNS-rebinding guard).',
      usedBy: 'API',
    },
  ),
  CODEC_CORS_ORIGINS: variable(
    z
      .string()
      .default('http://127.0.0.1:8233,http://localhost:8233')
      .transform((value) =>
        value
          .split(',')
          .map((origin) => origin.trim())
          .filter(Boolean),
      ),
    {
      description: 'Browser origins (comma-separated) allowed to call the codec endpoint: the Temporal UI.',
      usedBy: 'API',
    },
  ),
  LOG_LEVEL: variable(z.enum(LOG_LEVELS).optional(), {
    description: 'pino level of the JSON log lines (the Temporal SDK and core follow it).',
    usedBy: 'worker, API, npm start',
    defaultText: '`info` (`npm start`: `warn`)',
  }),
  METRICS_HOST: variable(z.string().min(1).default('127.0.0.1'), {
    description: "Interface of the worker's Prometheus scrape address.",
    usedBy: 'worker',
  }),
  METRICS_PORT: variable(port.optional(), {
    description:
      "Port of the worker's `/metrics` (SDK and engagement series on one address; 0 = any free port).",
    usedBy: 'worker',
    defaultText: 'unset (no metrics server)',
  }),
  PAYLOAD_ENCRYPTION_KEYS: variable(encryptionKeys.optional(), {
    description:
      'AES-256-GCM keys for payloads, `id:<base64 of 32 bytes>` comma-separated; old keys stay listed to decrypt.',
    usedBy: 'worker, API, CLI, npm start',
    secret: true,
    defaultText: 'unset (payloads in plaintext)',
  }),
  PAYLOAD_ENCRYPTION_KEY_ID: variable(z.string().optional(), {
    description: 'Id of the key new payloads are encrypted with; one of PAYLOAD_ENCRYPTION_KEYS.',
    usedBy: 'worker, API, CLI, npm start',
    defaultText: 'the only key, when there is one',
  }),
  NODE_ENV: variable(z.string().optional(), {
    description: '`production` makes the worker load the prebuilt `lib/workflow-bundle.js`.',
    usedBy: 'worker',
    defaultText: 'unset (bundles at start)',
  }),
  SANDBOX_HOST: variable(z.string().min(1).default('127.0.0.1'), {
    description: 'Interface of `npm run sandbox`.',
    usedBy: 'sandbox',
  }),
  SANDBOX_PORT: variable(port.default(4010), {
    description: 'Port of the OpenTrain sandbox.',
    usedBy: 'sandbox, npm start',
  }),
  SANDBOX_APPROVAL_TTL_MS: variable(positiveInt.optional(), {
    description: "How long the sandbox's pending approvals live.",
    usedBy: 'sandbox',
    defaultText: '72 h',
  }),
  SANDBOX_STATE_FILE: variable(z.string().min(1).optional(), {
    description: 'File the sandbox keeps its state in.',
    usedBy: 'sandbox',
    defaultText: 'unset (in memory)',
  }),
  SANDBOX_WEBHOOK_RETRY_SCALE: variable(z.coerce.number().positive({ error: 'must be > 0' }).default(1), {
    description: 'Multiplies the documented webhook retry delays (0.001 turns 1 min into 60 ms).',
    usedBy: 'sandbox',
  }),
  SANDBOX_LOG: variable(z.enum(['0', '1']).default('0'), {
    description: '`1` logs every sandbox request.',
    usedBy: 'sandbox',
  }),
  TEMPORAL_CLI_PATH: variable(z.string().optional(), {
    description: 'The `temporal` CLI binary (dev server).',
    usedBy: 'tests, npm start',
    defaultText: 'resolved by `scripts/temporal-binaries.ts`',
  }),
  TEMPORAL_TEST_SERVER_PATH: variable(z.string().optional(), {
    description: 'The time-skipping test server binary.',
    usedBy: 'tests',
    defaultText: 'resolved by `scripts/temporal-binaries.ts`',
  }),
};

export type VariableName = keyof typeof variables;

export function variableMeta(name: VariableName): VariableMeta {
  return variables[name].meta() as unknown as VariableMeta;
}

/** The `.default()` of a variable's schema, as the text a user would set; undefined when it has none. */
export function schemaDefault(name: VariableName): string | undefined {
  let schema: z.core.$ZodType = variables[name];
  while (schema instanceof z.ZodPipe) schema = schema.in;
  return schema instanceof z.ZodDefault ? String(schema.def.defaultValue as unknown) : undefined;
}
