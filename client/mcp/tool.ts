import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { EngagementState } from '../../domain/engagement-view';
import { rejectingUnknownKeys } from '../../domain/validation';
import type { EngagementOperations } from '../engagement-client';
import { idempotencyKeySchema } from '../idempotency-key';
import { humanActions } from './human-actions';

/** What a tool may use: the engagements (this door's client) and a clock for "time left". */
export interface ToolContext {
  engagements: EngagementOperations;
  now(): number;
}

/** A tool's answer: the text an agent reads, and the structured result matching the tool's output schema. */
export interface ToolAnswer {
  text: string;
  structured: Record<string, unknown>;
}

/**
 * One MCP tool: its name, its zod input (strict: an unknown field is an error, as at the HTTP door) and output
 * schemas, its hints, and what it does. The server registers whatever the table in `tools/index.ts` lists, so a
 * new tool is one more entry.
 */
export interface EngagementTool<I extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: z.ZodObject;
  annotations: ToolAnnotations;
  run(args: z.output<I>, ctx: ToolContext): Promise<ToolAnswer>;
}

/** Keeps the input's type tied to `run` while the table holds tools of every input. */
export function defineTool<I extends z.ZodObject>(tool: EngagementTool<I>): EngagementTool {
  return tool as unknown as EngagementTool;
}

/** A tool's input object, refusing unknown keys at every depth. */
export function toolInput<S extends z.ZodRawShape>(shape: S) {
  return rejectingUnknownKeys(z.object(shape));
}

/** The field every mutating tool takes (docs/intents.md): the same key again repeats nothing. */
export const idempotencyKeyField = idempotencyKeySchema
  .optional()
  .describe(
    'Your key for this one operation (1–200 printable characters, a UUID is fine). Repeat a call that timed out ' +
      'or failed with the same key: nothing happens twice, you get the first outcome. The same key with other ' +
      'arguments is refused (idempotency_key_mismatch). Without one, a call cannot be repeated safely.',
  );

/** Hints for a tool that moves an engagement (never read-only; retrying under the same key is safe). */
export const mutating = (destructive: boolean): ToolAnnotations => ({
  readOnlyHint: false,
  destructiveHint: destructive,
  idempotentHint: true,
  openWorldHint: true,
});

export const readOnly: ToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};

/**
 * The text of a result: what the human must do first (approvals with link and time left, blockers with their
 * remedy), then what happened. The state is read again after a mutation so the lines are current.
 */
export function withHumanActions(state: EngagementState, ctx: ToolContext, summary: string): string {
  const actions = humanActions(state, ctx.now());
  const head = actions.length ? actions.join('\n') : 'Nothing is waiting for the human.';
  return `${head}\n\n${summary}`;
}

export function stateSummary(state: EngagementState): string {
  const milestones = state.milestones.map((m) => `${m.id} $${m.amountUsd.toFixed(2)} ${m.status}`);
  return (
    `${state.engagementId}: phase ${state.phase}` +
    (state.contractId ? `, contract ${state.contractId}` : '') +
    (milestones.length ? `; milestones: ${milestones.join(', ')}` : '') +
    `; funded $${state.totals.fundedUsd.toFixed(2)}, released $${state.totals.releasedUsd.toFixed(2)}, ` +
    `fees $${state.totals.feesUsd.toFixed(2)}` +
    (state.failureReason ? `; failed: ${state.failureReason}` : '')
  );
}
