import { InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { engagementIdSchema } from '../engagement-client';
import { idempotencyKeySchema } from '../idempotency-key';
import { decimalNumber, parseInput } from '../../domain/validation';

/** Command-line strings → the values our zod schemas check; conversion only, validation stays in the schemas. */

/** "12.50" → 12.5; anything else (`0x10`, `1e3`, blank) becomes NaN, which the schema reports by name. */
export function toNumber(value: string): number {
  return decimalNumber(value);
}

/** Validates a positional engagement id before anything connects. */
export function engagementIdArg(engagementId: string): string {
  return parseInput(z.object({ engagementId: engagementIdSchema }), { engagementId }).engagementId;
}

/** `--policy '{"pollIntervalMinMs":60000}'`: the policy is checked by the engagement schema; here only JSON. */
export function toJsonObject(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch (err) {
    // Said here, where the text is known: the schema would only see a string and call it "not an object".
    throw new InvalidArgumentError(`Not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** `--idempotency-key`, checked while commander parses, so a bad key exits 2 before anything connects. */
export function toIdempotencyKey(value: string): string {
  const parsed = idempotencyKeySchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new InvalidArgumentError(parsed.error.issues.map((issue) => issue.message).join('; '));
}
