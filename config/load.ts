import { z } from 'zod';
import { TOKEN_ENV_NAMES } from '../opentrain/gaps';
import { variables } from './variables';

/** What each process cannot start without; checked together with the variables, so one error lists everything. */
export type ConfigRole = 'worker' | 'api' | 'cli' | 'start' | 'sandbox';

/** The parsed environment: each variable's schema output. */
export type Config = { [K in keyof typeof variables]: z.output<(typeof variables)[K]> };

/**
 * A bad or missing environment variable: `issues` names each one (`variable` + message) and the message lists them
 * all. No value is ever quoted, so a mistyped secret does not leak into a terminal.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: { variable: string; message: string }[];
  constructor(issues: { path: string; message: string }[]) {
    super(`Invalid environment: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.issues = issues.map((i) => ({ variable: i.path, message: i.message }));
  }
}

/** Compose and shells pass unset variables as empty strings; treat them (and blank ones) as unset. */
function present(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).flatMap(([name, value]) => {
      const trimmed = value?.trim();
      return trimmed ? [[name, trimmed]] : [];
    }),
  );
}

function crossChecks(
  config: Config,
  role: ConfigRole | undefined,
  malformed: Set<string>,
): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const tokenSet = TOKEN_ENV_NAMES.some((name) => config[name]);
  if (!tokenSet && (role === 'worker' || (role === 'api' && config.PUBLIC_WEBHOOK_URL))) {
    issues.push({
      path: TOKEN_ENV_NAMES[0],
      message: `No OpenTrain API token: set ${TOKEN_ENV_NAMES.join(' or ')} to a personal API token (ot_pat_…)`,
    });
  }
  if (role === 'api' && !config.ENGAGEMENTS_API_TOKEN) {
    issues.push({
      path: 'ENGAGEMENTS_API_TOKEN',
      message: 'set ENGAGEMENTS_API_TOKEN (at least 16 characters)',
    });
  }
  const keys = config.PAYLOAD_ENCRYPTION_KEYS;
  const keyId = config.PAYLOAD_ENCRYPTION_KEY_ID;
  if (keyId && !keys && !malformed.has('PAYLOAD_ENCRYPTION_KEYS')) {
    issues.push({ path: 'PAYLOAD_ENCRYPTION_KEY_ID', message: 'is set but PAYLOAD_ENCRYPTION_KEYS is not' });
  } else if (keys && keyId && !keys.has(keyId)) {
    issues.push({
      path: 'PAYLOAD_ENCRYPTION_KEY_ID',
      message: `"${keyId}" is not among the ids of PAYLOAD_ENCRYPTION_KEYS (${[...keys.keys()].join(', ')})`,
    });
  } else if (keys && !keyId && keys.size > 1) {
    issues.push({
      path: 'PAYLOAD_ENCRYPTION_KEY_ID',
      message: 'must name the current key when PAYLOAD_ENCRYPTION_KEYS holds several',
    });
  }
  return issues;
}

/**
 * Parses the environment once, for one process kind. Every problem — malformed values and what the role needs —
 * comes back in one {@link ConfigError}. Pure: tests pass their own `env`; processes use {@link processConfig}.
 */
export function loadConfig(env: NodeJS.ProcessEnv, role?: ConfigRole): Config {
  const values = present(env);
  const issues: { path: string; message: string }[] = [];
  const parsed: Record<string, unknown> = {};
  // Each variable on its own, so one bad value does not hide another; requirements are judged on what parsed,
  // and a variable already reported as malformed is not reported twice.
  for (const [name, schema] of Object.entries(variables)) {
    const result = (schema as z.ZodType).safeParse(values[name]);
    if (result.success) parsed[name] = result.data;
    else issues.push(...result.error.issues.map((issue) => ({ path: name, message: issue.message })));
  }
  const malformed = new Set(issues.map((issue) => issue.path));
  const config = parsed as Config;
  issues.push(...crossChecks(config, role, malformed).filter((issue) => !malformed.has(issue.path)));
  if (issues.length > 0) throw new ConfigError(issues);
  return config;
}

const cache = new Map<ConfigRole | undefined, Config>();

/** `process.env`, parsed the first time a process asks and kept: every reader in the process sees one config. */
export function processConfig(role?: ConfigRole): Config {
  let config = cache.get(role);
  if (!config) {
    config = loadConfig(process.env, role);
    cache.set(role, config);
  }
  return config;
}

/** The OpenTrain token, from whichever of its two names is set first. */
export function openTrainToken(config: Config): string | undefined {
  return TOKEN_ENV_NAMES.map((name) => config[name]).find(Boolean);
}
