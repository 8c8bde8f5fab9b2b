#!/usr/bin/env node
import { connectEngagementClient, temporalSettingsFromEnv } from '../connection';
import { runCli } from './program';

/**
 * The `engagements` bin: real stdout/stderr; Temporal (TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE) and payload encryption
 * from the configuration, read when a command first connects (so `--help` and bad input need no environment).
 */
const abort = new AbortController();
process.once('SIGINT', () => abort.abort());

runCli(process.argv.slice(2), {
  connect: () => connectEngagementClient(temporalSettingsFromEnv(), { door: 'cli' }),
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  isTTY: Boolean(process.stdout.isTTY),
  now: () => Date.now(),
  signal: abort.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`engagements: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
