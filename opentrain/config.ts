import { z } from 'zod';
import { OpenTrainConfigError } from './errors';
import { TOKEN_ENV_NAMES } from './gaps';

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
 * Options from the environment: OPENTRAIN_API_BASE_URL, OPENTRAIN_API_TOKEN (or OT_API_TOKEN, the official CLI's
 * name) and OPENTRAIN_API_TIMEOUT_MS.
 */
export function clientOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): OpenTrainClientOptions {
  const token = TOKEN_ENV_NAMES.map((name) => env[name]?.trim()).find((value) => value);
  if (!token) {
    throw new OpenTrainConfigError(
      `No OpenTrain API token: set ${TOKEN_ENV_NAMES.join(' or ')} to a personal API token (ot_pat_…).`,
    );
  }
  const options: OpenTrainClientOptions = { token };
  const baseUrl = env.OPENTRAIN_API_BASE_URL?.trim();
  if (baseUrl) options.baseUrl = baseUrl;
  const timeout = env.OPENTRAIN_API_TIMEOUT_MS?.trim();
  if (timeout) {
    const timeoutMs = Number(timeout);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new OpenTrainConfigError('OPENTRAIN_API_TIMEOUT_MS must be a positive integer (milliseconds).');
    }
    options.timeoutMs = timeoutMs;
  }
  return options;
}
