import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { temporalSettingsFromEnv, type TemporalSettings } from '../client/connection';

/** What a running stack (`npm start` or `npm run cluster`) tells its users — the 0600 stack file and the banner. */

/** Written to <dataDir>/local-stack.json, mode 0600. */
export interface LocalStackInfo {
  temporalAddress: string;
  namespace: string;
  temporalUiUrl?: string;
  apiUrl: string;
  apiToken: string;
  /** Only when the stack runs the sandbox. */
  sandboxUrl?: string;
  sandboxToken?: string;
  webhookSecret?: string;
  /** `npm run cluster` only: each worker's Prometheus scrape address. */
  workerMetricsUrls?: string[];
  /** `npm run cluster` only: where the Temporal UI and `temporal --codec-endpoint` decode payloads. */
  codecEndpoint?: string;
  /**
   * `npm run cluster` only, when it made the payload key itself: the 0600 file holding PAYLOAD_ENCRYPTION_KEYS (the
   * path, never the key). Every other process that reads engagements (CLI, MCP, demo) needs that key too.
   */
  payloadKeysFile?: string;
  /** `npm run cluster` only: PostgreSQL behind the Temporal server (no password: that stays in its own file). */
  postgres?: { host: string; port: number; user: string; passwordFile: string };
}

export const STACK_FILE = 'local-stack.json';

/**
 * How a process on this machine reaches the stack's Temporal: the cluster's payload key when it made one, else the
 * keys `env` holds.
 */
export function temporalSettingsOfStack(info: LocalStackInfo, env: NodeJS.ProcessEnv): TemporalSettings {
  return temporalSettingsFromEnv({
    TEMPORAL_ADDRESS: info.temporalAddress,
    TEMPORAL_NAMESPACE: info.namespace,
    PAYLOAD_ENCRYPTION_KEYS: info.payloadKeysFile
      ? readFileSync(info.payloadKeysFile, 'utf8').trim()
      : env.PAYLOAD_ENCRYPTION_KEYS,
    PAYLOAD_ENCRYPTION_KEY_ID: env.PAYLOAD_ENCRYPTION_KEY_ID,
  });
}

export function readStackInfo(dataDir: string): Partial<LocalStackInfo> {
  const file = join(dataDir, STACK_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalStackInfo>) : {};
}

export function writeStackInfo(dataDir: string, info: Partial<LocalStackInfo>): void {
  const file = join(dataDir, STACK_FILE);
  writeFileSync(file, JSON.stringify(info, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
}

/**
 * How to try it, printed once everything is up. The API token stays in the 0600 stack file: the examples read it
 * from there, so it never lands in a terminal's scrollback or a captured log.
 */
export function describeStack(
  info: LocalStackInfo,
  proposalId: string | undefined,
  dataDir = '.data',
  { title = 'local stack', command = 'npm start' }: { title?: string; command?: string } = {},
): string {
  const stackFile = relative(process.cwd(), join(resolve(dataDir), STACK_FILE)) || STACK_FILE;
  const token = `$(node -p "require('./${stackFile}').apiToken")`;
  const lines = [
    '',
    `OpenTrain engagements — ${title} is up`,
    `  Temporal      ${info.temporalAddress}${info.temporalUiUrl ? `  (UI ${info.temporalUiUrl})` : ''}`,
    `  HTTP API      ${info.apiUrl}  (OpenAPI ${info.apiUrl}/openapi.json, health ${info.apiUrl}/healthz)`,
    `  API token     in ${stackFile} ("apiToken")`,
  ];
  if (info.sandboxUrl)
    lines.push(`  Sandbox       ${info.sandboxUrl}  (approval pages at ${info.sandboxUrl}/approvals/<id>)`);
  lines.push(
    `  Webhooks      ${info.webhookSecret ? 'on (the feed also polls /updates)' : 'off — the feed polls /updates'}`,
  );
  if (info.postgres)
    lines.push(`  PostgreSQL    ${info.postgres.host}:${info.postgres.port}  (user ${info.postgres.user})`);
  for (const [i, url] of (info.workerMetricsUrls ?? []).entries())
    lines.push(`  Metrics       worker ${i + 1}: ${url}`);
  if (info.codecEndpoint) lines.push(`  Codec         ${info.codecEndpoint}  (temporal --codec-endpoint)`);
  if (info.payloadKeysFile) {
    const keysFile = relative(process.cwd(), info.payloadKeysFile) || info.payloadKeysFile;
    lines.push(
      `  Encryption    on; the key is in ${keysFile} (0600). The CLI and MCP server need it in their shell:`,
      `                export PAYLOAD_ENCRYPTION_KEYS="$(cat ${keysFile})"`,
    );
  }
  lines.push('', 'Try it:', `  npm run demo`);
  if (proposalId) {
    lines.push(
      `  npm run engagements -- start --proposal ${proposalId} --name "Pilot" --description "Label 100 images" --amount 120`,
      `  npm run engagements -- state engagement-${proposalId} --watch`,
      `  curl -s -H "Authorization: Bearer ${token}" ${info.apiUrl}/engagements/engagement-${proposalId}`,
    );
  }
  lines.push('', `Ctrl-C stops everything; \`${command}\` again picks up where this one left off.`);
  return lines.join('\n');
}
