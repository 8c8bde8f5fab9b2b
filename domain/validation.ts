import { z } from 'zod';

/** Thrown at our edges when input fails its schema; the message names every field. */
export class InputValidationError extends Error {
  override readonly name = 'InputValidationError';
  constructor(
    readonly issues: { path: string; message: string }[],
    what = 'input',
  ) {
    super(
      `Invalid ${what}: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`,
    );
  }
}

export function fieldIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/** Parse or throw an `InputValidationError` that names each bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new InputValidationError(fieldIssues(result.error), what);
  return result.data;
}

/**
 * For the `when` of a cross-field rule: true once each field (a path into the value) passes its own schema. The
 * rule then runs even when unrelated fields are wrong, so one answer names every bad field, and it never speaks
 * about a field that is already reported as malformed. A `when` runs even when the value is not an object at
 * all, so every object on the way must be there.
 */
export function fieldsValid(value: unknown, fields: [path: string[], schema: z.ZodType][]): boolean {
  return fields.every(([path, schema]) => {
    let current = value;
    for (const key of path) {
      if (typeof current !== 'object' || current === null) return false;
      current = (current as Record<string, unknown>)[key];
    }
    return schema.safeParse(current).success;
  });
}

/**
 * The catch-all of a door's objects: every unknown key is its own issue at its own path, so the answer names the
 * key (`policy.pollIntervalMS: is not a known field`). `{ not: {} }` documents "nothing else" in JSON Schema.
 */
const unknownField = z
  .unknown()
  .check((ctx) => {
    ctx.issues.push({ code: 'custom', message: 'is not a known field', input: ctx.value });
  })
  .meta({ not: {} });

/**
 * The same schema, refusing unknown keys at every depth instead of dropping them: for the doors where a typo
 * must not pass silently (HTTP bodies and queries, the CLI's --policy JSON). The workflow keeps the lenient
 * original, so what it once accepted always replays. Valid input parses to exactly the original's output.
 */
export function rejectingUnknownKeys<S extends z.ZodType>(schema: S): S {
  return strict(schema) as S;
}

function strict(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodObject) {
    const fields = Object.entries(schema.shape as Record<string, z.ZodType>);
    const shape = Object.fromEntries(fields.map(([key, field]) => [key, strict(field)]));
    return rebuilt(schema, { shape, catchall: unknownField });
  }
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault) {
    return rebuilt(schema, { innerType: strict(schema._zod.def.innerType as z.ZodType) });
  }
  if (schema instanceof z.ZodArray) return rebuilt(schema, { element: strict(schema.element as z.ZodType) });
  if (schema instanceof z.ZodUnion)
    return rebuilt(schema, { options: (schema.options as z.ZodType[]).map(strict) });
  return schema;
}

/**
 * The same kind of schema (its checks and messages kept) with some parts of its definition replaced. Getters stay
 * getters, so a default still makes a fresh value on every parse.
 */
function rebuilt(schema: z.ZodType, parts: Record<string, unknown>): z.ZodType {
  const descriptors = {
    ...Object.getOwnPropertyDescriptors(schema._zod.def),
    ...Object.getOwnPropertyDescriptors(parts),
  };
  return schema.clone(Object.defineProperties({}, descriptors) as z.ZodType['_zod']['def']);
}

/**
 * Command-line and query-string numbers: plain decimal notation only ("12", "12.50", "-3", ".5"). Hex, binary,
 * exponents, blanks and "Infinity", which `Number()` would all accept, become NaN, which the number schemas
 * refuse with their own message.
 */
export function decimalNumber(text: string): number {
  return /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(text) ? Number(text) : Number.NaN;
}
