import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { TOKEN_ENV_NAMES } from '../opentrain/gaps';

/**
 * One pino logger per process, JSON lines on stdout. Secrets are removed by pino's own `redact` (by key, wherever a
 * caller put them): the OpenTrain token, the webhook secret, the encryption keys, the API's bearer token and any
 * Authorization/Cookie header. Code never puts a secret in a message string; these paths catch one passed as data.
 */
const SECRET_KEYS = [
  'token',
  'apiToken',
  'secret',
  'webhookSecret',
  'password',
  'authorization',
  'cookie',
  'encryptionKeys',
  'keys',
  ...TOKEN_ENV_NAMES,
  'ENGAGEMENTS_API_TOKEN',
  'OPENTRAIN_WEBHOOK_SECRET',
  'PAYLOAD_ENCRYPTION_KEYS',
  'NOTIFY_WEBHOOK_URL',
];

export const REDACT_PATHS = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-opentrain-signature"]',
  'res.headers["set-cookie"]',
];

export interface LoggerOptions {
  level?: string;
  /** Who writes the lines (`worker`, `api`, `npm-start`); on every line as `service`. */
  service: string;
  /** Default stdout; tests pass a stream to read the lines back. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): PinoLogger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    },
    options.destination,
  );
}

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * The Temporal SDK's logger interface over pino: the worker, core (forwarded), activity context loggers and the
 * workflow `log` sink all end here. The SDK's attributes are renamed to ours — `workflowRunId` → `runId`, `error` →
 * `err` (pino's serializer), the task token (a capability to complete the task) dropped — and `engagementId` is added for engagement workflows (their id is the engagement id).
 */
export class TemporalPinoLogger implements TemporalLogger {
  constructor(readonly pino: PinoLogger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    this.pino[PINO_LEVEL[level]](withEngagementFields(meta ?? {}), message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

export function withEngagementFields(meta: LogMetadata): Record<string, unknown> {
  const { workflowRunId, error, taskToken: _taskToken, ...rest } = meta as Record<string, unknown>;
  const fields: Record<string, unknown> = { ...rest };
  if (workflowRunId !== undefined) fields.runId = workflowRunId;
  if (error !== undefined) fields.err = error;
  const workflowId = fields.workflowId;
  if (
    fields.engagementId === undefined &&
    typeof workflowId === 'string' &&
    workflowId.startsWith('engagement-')
  ) {
    fields.engagementId = workflowId;
  }
  return fields;
}
