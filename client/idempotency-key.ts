import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { idempotencyKeySchema as intentKeySchema } from '../domain/intents';
import { parseInput } from '../domain/validation';

/** The idempotency key as every door (library, HTTP, CLI) takes it; docs/intents.md is the contract. */

/**
 * The caller's key for one intent: the domain's rule (1–200 characters once trimmed, so never only whitespace),
 * and printable, because the same key travels in HTTP headers, CLI output and logs.
 */
export const idempotencyKeySchema = intentKeySchema.regex(/^[^\p{C}\p{Zl}\p{Zp}]*$/u, {
  error: 'must contain printable characters only',
});

/** The last, optional argument of every mutation. */
export const idempotencyOptionsSchema = z.object({ idempotencyKey: idempotencyKeySchema.optional() });
export type IdempotencyOptions = z.infer<typeof idempotencyOptionsSchema>;

/** The failure type the workflow answers when a key comes back with other arguments. */
export const IDEMPOTENCY_KEY_MISMATCH = 'idempotency_key_mismatch';

/** The caller's key, checked, or a fresh one: without a key a call is still exactly one intent. */
export function idempotencyKeyOf(options: IdempotencyOptions | undefined): string {
  return parseInput(idempotencyOptionsSchema, options ?? {}, 'options').idempotencyKey ?? randomUUID();
}
