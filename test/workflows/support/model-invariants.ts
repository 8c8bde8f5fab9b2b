import type { EngagementState } from '../../../domain/engagement-view';
import { APPROVAL_TYPE, type EngagementModel, type ModelPhase } from './model-state';
import type { ModelWorld } from './model-world';

/**
 * The invariants checked after every command, once the engagement is quiet: money safety on OpenTrain's side,
 * the model against OpenTrain (did the engagement do what the contract says?), and the engagement's own state
 * against OpenTrain (does it know what it did?). Each returns the problems found, in words.
 */

const PHASE_OF: Record<ModelPhase, string> = {
  active: 'active',
  ending: 'awaiting_end_approval',
  ended: 'ended',
};

export function moneyProblems(world: ModelWorld): string[] {
  const problems = [...world.violations];
  for (const m of world.milestones) {
    if (m.fundsExecuted > 1) problems.push(`${m.id} was funded ${m.fundsExecuted} times`);
    if (m.releasesExecuted > 1) problems.push(`${m.id} was released ${m.releasesExecuted} times`);
  }
  const seen = new Set<string>();
  for (const a of world.live()) {
    const slot = `${a.type} ${a.milestoneId ?? 'contract'}`;
    if (seen.has(slot)) problems.push(`two live approvals for ${slot}`);
    seen.add(slot);
  }
  if (world.budgetCents !== undefined && world.chargedCents > world.budgetCents)
    problems.push(`charged ${world.chargedCents}¢ in all, over the budget of ${world.budgetCents}¢`);
  return problems;
}

/** Every milestone on the contract was asked for by one add intent (its description carries the key). */
export function milestoneProblems(model: EngagementModel, world: ModelWorld): string[] {
  const problems: string[] = [];
  const byDescription = new Map<string, string[]>();
  for (const m of world.milestones.slice(1))
    byDescription.set(m.description, [...(byDescription.get(m.description) ?? []), m.id]);
  for (const [description, ids] of byDescription)
    if (ids.length > 1)
      problems.push(`one add intent (${description}) created ${ids.length} milestones: ${ids.join(', ')}`);
  const known = (id: string) => model.milestones.some((m) => m.id === id);
  for (const m of world.milestones)
    if (!known(m.id))
      problems.push(`milestone ${m.id} (${m.description}) exists that no accepted add asked for`);
  for (const m of model.milestones) {
    const actual = world.milestone(m.id);
    if (!actual) problems.push(`the model expects milestone ${m.id}; OpenTrain has none`);
    else if (actual.status !== m.status || actual.amountCents !== m.amountCents)
      problems.push(
        `milestone ${m.id}: expected ${m.status} ${m.amountCents}¢, OpenTrain has ${actual.status} ${actual.amountCents}¢`,
      );
  }
  return problems;
}

/** OpenTrain's live approvals are exactly the model's open moves (one per intent that waits for the human). */
export function approvalProblems(model: EngagementModel, world: ModelWorld): string[] {
  const slot = (type: string, milestoneId: string | null | undefined) =>
    `${type} ${milestoneId ?? 'contract'}`;
  const expected = model.moves.map((m) => slot(APPROVAL_TYPE[m.action], m.milestoneId)).sort();
  const live = world
    .live()
    .map((a) => slot(a.type, a.milestoneId))
    .sort();
  return expected.join() === live.join()
    ? []
    : [`expected pending approvals [${expected.join(', ')}], OpenTrain has [${live.join(', ')}]`];
}

/** The engagement's `state` agrees with OpenTrain: milestones, the approvals it follows, its phase. */
export function stateProblems(model: EngagementModel, world: ModelWorld, state: EngagementState): string[] {
  const problems: string[] = [];
  if (state.phase !== PHASE_OF[model.phase])
    problems.push(`phase is ${state.phase}, expected ${PHASE_OF[model.phase]}`);
  const actual = world.milestones.map((m) => `${m.id} ${m.status} ${m.amountCents}`).sort();
  const shown = state.milestones.map((m) => `${m.id} ${m.status} ${Math.round(m.amountUsd * 100)}`).sort();
  if (actual.join() !== shown.join())
    problems.push(`state shows milestones [${shown.join(', ')}], OpenTrain has [${actual.join(', ')}]`);
  const live = world
    .live()
    .map((a) => a.id)
    .sort();
  const followed = state.pendingApprovals.map((p) => p.approvalId).sort();
  if (live.join() !== followed.join())
    problems.push(
      `state follows approvals [${followed.join(', ')}], OpenTrain has [${live.join(', ')}] pending`,
    );
  // An intent stays open exactly while its approval waits for the human (docs/intents.md).
  const open = openIntentKeys(state);
  if (open) {
    const waiting = model.moves.map((m) => m.key).sort();
    if (waiting.join() !== [...open].sort().join())
      problems.push(`open intents are [${[...open].sort().join(', ')}], expected [${waiting.join(', ')}]`);
  }
  return problems;
}

/**
 * The keys of the open intents in the `state` view: an `intents` list with a `status` per record, or an
 * `openIntents` list. Undefined when the view has neither (a core without intents).
 */
export function openIntentKeys(state: EngagementState): string[] | undefined {
  const view = state as EngagementState & { intents?: unknown; openIntents?: unknown };
  const records = Array.isArray(view.openIntents)
    ? view.openIntents
    : Array.isArray(view.intents)
      ? view.intents
      : undefined;
  if (!records) return undefined;
  return (records as { key?: unknown; status?: unknown }[])
    .filter((i) => i.status === undefined || i.status === 'open')
    .map((i) => String(i.key));
}
