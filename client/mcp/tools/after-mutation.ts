import type { ToolAnswer, ToolContext } from '../tool';
import { stateSummary, withHumanActions } from '../tool';

/**
 * A mutation's answer: what the human must now do, read from the engagement's current state, before what
 * happened. A failed read leaves the summary alone: the mutation itself succeeded.
 */
export async function afterMutation(
  ctx: ToolContext,
  engagementId: string,
  summary: string,
  structured: Record<string, unknown>,
): Promise<ToolAnswer> {
  const state = await ctx.engagements.getState(engagementId).catch(() => undefined);
  if (!state) return { text: summary, structured };
  return { text: withHumanActions(state, ctx, `${summary}\n${stateSummary(state)}`), structured };
}
