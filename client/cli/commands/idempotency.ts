import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { toIdempotencyKey } from '../arguments';
import type { CliIo, JsonOption } from '../context';
import { renderIdempotencyHint } from '../render';

/** What every mutating command shares: `--idempotency-key`, and the key one invocation uses (docs/intents.md). */

export interface IdempotencyOption extends JsonOption {
  idempotencyKey?: string;
}

export function withIdempotencyKey(command: Command): Command {
  return command.option(
    '--idempotency-key <key>',
    'repeat this request safely: the same key is the same request (default: a new key per run)',
    toIdempotencyKey,
  );
}

/**
 * The caller's key, or a new one for this run. A person is told the new key on stderr before anything is sent, so
 * even a call that fails or times out can be repeated with it; `--json` callers find it in the output.
 */
export function idempotencyKeyFor(io: CliIo, options: IdempotencyOption): string {
  if (options.idempotencyKey) return options.idempotencyKey;
  const key = randomUUID();
  if (!options.json) io.stderr(renderIdempotencyHint(key));
  return key;
}
