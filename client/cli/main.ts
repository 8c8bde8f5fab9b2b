#!/usr/bin/env node
import { processConfig } from '../../config';
import { connectEngagementClient, temporalSettingsFromConfig, threadReaderFromConfig } from '../connection';
import { runCli } from './program';

/**
 * The `engagements` bin: real stdout/stderr; Temporal (TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE) and payload encryption
 * from the configuration, read when a command first connects (so `--help` and bad input need no environment).
 */
const abort = new AbortController();
process.once('SIGINT', () => abort.abort());

runCli(process.argv.slice(2), {
  // The OpenTrain token, when set here, serves `message list` only (the whole thread, read from OpenTrain).
  connect: () => {
    const config = processConfig('cli');
    return connectEngagementClient(temporalSettingsFromConfig(config), {
      door: 'cli',
      threadReader: threadReaderFromConfig(config),
    });
  },
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
