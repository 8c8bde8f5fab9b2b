import { InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { engagementIdSchema } from '../engagement-client';
import { idempotencyKeySchema } from '../idempotency-key';
import { parseInput } from '../../domain/validation';

/** Command-line strings → the values our zod schemas check; conversion only, validation stays in the schemas. */

/** "12.50" → 12.5; anything else becomes NaN, which the schema reports as "must be a number of US dollars". */
export function toNumber(value: string): number {
  return value.trim() === '' ? Number.NaN : Number(value);
}

/** Validates a positional engagement id before anything connects. */
export function engagementIdArg(engagementId: string): string {
  return parseInput(z.object({ engagementId: engagementIdSchema }), { engagementId }).engagementId;
}

/** `--policy '{"pollIntervalMinMs":1000}'`: the policy is checked by the engagement schema; here only JSON. */
export function toJsonObject(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value; // the schema then names `policy` as the bad field
  }
}

/** `--idempotency-key`, checked while commander parses, so a bad key exits 2 before anything connects. */
export function toIdempotencyKey(value: string): string {
  const parsed = idempotencyKeySchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new InvalidArgumentError(parsed.error.issues.map((issue) => issue.message).join('; '));
}
