import { z } from 'zod';
import { OpenTrainConfigError } from './errors';
import { TOKEN_ENV_NAMES } from './gaps';
import type { OpenTrainResponseObserver } from './http';

export const DEFAULT_BASE_URL = 'https://app.opentrain.ai/api/public/v1';
/** The official CLI's request timeout (docs/opentrain-api.md#rate-limits-and-retries). */
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface OpenTrainClientOptions {
  /** Public API base including `/api/public/v1`; default {@link DEFAULT_BASE_URL}. */
  baseUrl?: string;
  /** An `ot_pat_…` personal API token. */
  token: string;
  /** Per request, from sending to the last body byte; default {@link DEFAULT_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Told about every finished request (the worker counts them for its metrics). */
  onResponse?: OpenTrainResponseObserver;
}

export interface ResolvedClientOptions {
  baseUrl: string;
  token: string;
  timeoutMs: number;
}

const optionsSchema = z.object({
  baseUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .default(DEFAULT_BASE_URL)
    .transform((url) => url.replace(/\/+$/, '')),
  token: z.string().trim().min(1, { error: 'must not be empty' }),
  timeoutMs: z.int().positive().default(DEFAULT_TIMEOUT_MS),
});

/** Validate and default the options; the message never quotes the token. */
export function resolveClientOptions(options: OpenTrainClientOptions): ResolvedClientOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.')} ${issue.message}`)
      .join('; ');
    throw new OpenTrainConfigError(`Invalid OpenTrain client options: ${problems}`);
  }
  return parsed.data;
}

/**
 * Options from the parsed configuration (config/: OPENTRAIN_API_BASE_URL, OPENTRAIN_API_TOKEN or OT_API_TOKEN,
 * OPENTRAIN_API_TIMEOUT_MS). The configuration has validated the values; only the token may be missing.
 */
export function clientOptionsFromConfig(config: {
  OPENTRAIN_API_TOKEN?: string;
  OT_API_TOKEN?: string;
  OPENTRAIN_API_BASE_URL: string;
  OPENTRAIN_API_TIMEOUT_MS: number;
}): OpenTrainClientOptions {
  const token = TOKEN_ENV_NAMES.map((name) => config[name]).find(Boolean);
  if (!token) {
    throw new OpenTrainConfigError(
      `No OpenTrain API token: set ${TOKEN_ENV_NAMES.join(' or ')} to a personal API token (ot_pat_…).`,
    );
  }
  return { token, baseUrl: config.OPENTRAIN_API_BASE_URL, timeoutMs: config.OPENTRAIN_API_TIMEOUT_MS };
}
