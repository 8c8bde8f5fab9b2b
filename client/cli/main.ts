#!/usr/bin/env node
import { connectEngagementClient, temporalSettingsFromEnv } from '../connection';
import { OpenTrainClient } from '../../opentrain';
import { runCli } from './program';

/** The `engagements` bin: real stdout/stderr, Temporal from TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE. */
const abort = new AbortController();
process.once('SIGINT', () => abort.abort());

runCli(process.argv.slice(2), {
  // The OpenTrain token, when set here, serves `message list` only (the whole thread, read from OpenTrain).
  connect: () =>
    connectEngagementClient(temporalSettingsFromEnv(), {
      door: 'cli',
      threadReader:
        process.env.OPENTRAIN_API_TOKEN || process.env.OT_API_TOKEN ? OpenTrainClient.fromEnv() : undefined,
    }),
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
