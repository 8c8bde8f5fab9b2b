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
