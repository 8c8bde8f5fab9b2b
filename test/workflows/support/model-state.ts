import { isDeepStrictEqual } from 'node:util';
import { fundChargeCents, hireChargeCents } from '../../../domain/money';

/**
 * The model of one engagement for the model-based test: what the documented contract (docs/intents.md) says must
 * happen, kept small. Ids come from OpenTrain (the fake) as they are created; everything else is predicted.
 */

export type Via = 'update' | 'signal' | 'both';
export type Action = 'fund' | 'release' | 'end';
export type MilestoneStatus = 'NOT_FUNDED' | 'ACTIVE_FUNDED' | 'PAID' | 'REFUNDED';
/** `ending`: the end's approval is pending; `ended` closes the workflow. */
export type ModelPhase = 'active' | 'ending' | 'ended';
export type Decision = 'confirm' | 'decline' | 'expire';

export type Request =
  | { kind: 'add'; args: { description: string; amountUsd: number; fund: boolean } }
  | { kind: 'fund' | 'release'; args: { milestoneId: string } }
  | { kind: 'end'; args: Record<string, never> }
  | { kind: 'retry'; args: { approvalId?: string; milestoneId?: string } };

export type Expectation = { ok: true } | { ok: false; refusals: readonly string[] };
export type Reply = { ok: true; value: unknown } | { ok: false; type: string; message: string };

export interface ModelMilestone {
  id: string;
  amountCents: number;
  status: MilestoneStatus;
  viaHire: boolean;
}

/** An intent whose approval is pending: it stays open until the human settles it. */
export interface Move {
  key: string;
  action: Action;
  milestoneId?: string;
  /** 1, then 2 after the re-request that follows the first expiry. */
  attempt: number;
  approvalId?: string;
}

export interface Parked {
  action: Action;
  milestoneId?: string;
  approvalId: string;
}

/** Every request sent under a new key, so a later command can repeat it. */
export interface Sent {
  key: string;
  request: Request;
  via: Via;
  expected: Expectation;
  /** The first answer an update got for this key; every repeat must get the same. */
  reply?: Reply;
}

/** The engagement is started with `maxReRequestsAfterExpiry: 1`: the first expiry asks again, the second parks. */
export const MAX_RE_REQUESTS = 1;

export const APPROVAL_TYPE: Record<Action, string> = {
  fund: 'milestone_fund',
  release: 'milestone_approve',
  end: 'contract_end',
};

/** Failure types an update may answer with (docs/intents.md); anything else is an unexpected error. */
export const KNOWN_FAILURE_TYPES: ReadonlySet<string> = new Set([
  'engagement_closed',
  'contract_not_active',
  'unknown_milestone',
  'milestone_not_fundable',
  'milestone_not_funded',
  'budget_exceeded',
  'nothing_to_retry',
  'already_hired',
  'idempotency_key_mismatch',
  'already_in_progress',
  'approvals_in_flight',
  'payment_method_required',
  'milestone_cancelled',
  'contract_ended',
  // A request whose effect OpenTrain could not confirm either way (it stays reserved until it can).
  'opentrain_in_doubt',
  // The client's answer once the workflow has closed (WorkflowNotFoundError): no run is left to ask.
  'workflow_closed',
]);

export class EngagementModel {
  phase: ModelPhase = 'active';
  readonly milestones: ModelMilestone[] = [];
  moves: Move[] = [];
  parked: Parked[] = [];
  readonly sent: Sent[] = [];

  /** `hire`: the milestone the confirmed hire created and funded. */
  constructor(
    readonly budgetCents: number | undefined,
    hire: { id: string; amountCents: number },
  ) {
    this.milestones.push({ ...hire, status: 'ACTIVE_FUNDED', viaHire: true });
  }

  closed(): boolean {
    return this.phase === 'ended';
  }

  milestone(id: string | undefined): ModelMilestone | undefined {
    return this.milestones.find((m) => m.id === id);
  }

  moveFor(action: Action, milestoneId?: string): Move | undefined {
    return this.moves.find((m) => m.action === action && m.milestoneId === milestoneId);
  }

  /** The hire charge plus every later milestone funded or being funded, fees included. */
  committedCents(): number {
    return this.milestones.reduce((sum, m) => {
      if (m.viaHire) return sum + hireChargeCents(m.amountCents);
      const counts = m.status === 'ACTIVE_FUNDED' || m.status === 'PAID' || this.moveFor('fund', m.id);
      return sum + (counts ? fundChargeCents(m.amountCents) : 0);
    }, 0);
  }

  private overBudget(amountCents: number): boolean {
    return (
      this.budgetCents !== undefined &&
      this.committedCents() + fundChargeCents(amountCents) > this.budgetCents
    );
  }

  parkedFor(ref: { approvalId?: string; milestoneId?: string }): Parked | undefined {
    return this.parked.find(
      (p) =>
        (ref.approvalId !== undefined && p.approvalId === ref.approvalId) ||
        (ref.milestoneId !== undefined && p.milestoneId === ref.milestoneId),
    );
  }

  /**
   * What a request under a new key must answer. Where several rules refuse it, any of their codes is right: the
   * contract does not order them.
   */
  expect(request: Request): Expectation {
    if (this.phase === 'ended')
      return refuse(['engagement_closed', 'contract_not_active', 'workflow_closed']);
    const refusals: string[] = [];
    const ending = this.phase === 'ending';
    if (request.kind === 'add') {
      if (ending) refusals.push('contract_not_active');
      if (request.args.fund && this.overBudget(usdToCents(request.args.amountUsd)))
        refusals.push('budget_exceeded');
    } else if (request.kind === 'retry') {
      const item = this.parkedFor(request.args);
      if (!item) return refuse(['nothing_to_retry']);
      refusals.push(...this.moveRefusals(item.action, item.milestoneId));
    } else {
      refusals.push(
        ...this.moveRefusals(request.kind, request.kind === 'end' ? undefined : request.args.milestoneId),
      );
    }
    return refusals.length ? refuse(refusals) : { ok: true };
  }

  private moveRefusals(action: Action, milestoneId: string | undefined): string[] {
    const refusals: string[] = [];
    if (this.phase === 'ending') refusals.push('contract_not_active');
    if (action === 'end') {
      if (this.phase === 'ending') refusals.push('already_in_progress');
      if (this.moves.some((m) => m.action !== 'end')) refusals.push('approvals_in_flight');
      return refusals;
    }
    const m = this.milestone(milestoneId);
    if (!m) return ['unknown_milestone'];
    if (this.moveFor(action, m.id)) refusals.push('already_in_progress');
    if (action === 'fund') {
      if (m.status !== 'NOT_FUNDED') refusals.push('milestone_not_fundable');
      if (this.overBudget(m.amountCents)) refusals.push('budget_exceeded');
    } else if (m.status !== 'ACTIVE_FUNDED') refusals.push('milestone_not_funded');
    return refusals;
  }

  /** The effect of an accepted request. `createdId`: the milestone an add created (learnt from OpenTrain). */
  accept(request: Request, key: string, createdId?: string): void {
    if (request.kind === 'add') {
      if (!createdId) throw new Error('an accepted add needs the id of the milestone it created');
      const amountCents = usdToCents(request.args.amountUsd);
      this.milestones.push({ id: createdId, amountCents, status: 'NOT_FUNDED', viaHire: false });
      if (request.args.fund) this.open(key, 'fund', createdId);
    } else if (request.kind === 'retry') {
      const item = this.parkedFor(request.args)!;
      this.open(key, item.action, item.milestoneId);
    } else {
      this.open(key, request.kind, request.kind === 'end' ? undefined : request.args.milestoneId);
    }
  }

  private open(key: string, action: Action, milestoneId?: string): void {
    this.parked = this.parked.filter((p) => !(p.action === action && p.milestoneId === milestoneId));
    if (action !== 'end') {
      this.moves.push({ key, action, milestoneId, attempt: 1 });
      return;
    }
    // OpenTrain ends a contract without funded milestones at once; otherwise the human co-signs.
    if (this.milestones.some((m) => m.status === 'ACTIVE_FUNDED')) {
      this.moves.push({ key, action, attempt: 1 });
      this.phase = 'ending';
    } else this.phase = 'ended';
  }

  /** The human decided on a move's approval. */
  decide(move: Move, decision: Decision): void {
    const m = this.milestone(move.milestoneId);
    if (decision === 'expire' && move.attempt <= MAX_RE_REQUESTS) {
      // Asked again under the same intent: a new approval, learnt from OpenTrain.
      move.attempt += 1;
      move.approvalId = undefined;
      return;
    }
    this.moves = this.moves.filter((x) => x !== move);
    if (decision !== 'confirm') {
      this.parked.push({ action: move.action, milestoneId: move.milestoneId, approvalId: move.approvalId! });
      if (move.action === 'end') this.phase = 'active';
    } else if (move.action === 'fund') m!.status = 'ACTIVE_FUNDED';
    else if (move.action === 'release') m!.status = 'PAID';
    else {
      this.phase = 'ended';
      for (const x of this.milestones) if (x.status === 'ACTIVE_FUNDED') x.status = 'REFUNDED';
    }
  }

  /** Name each move's current approval after OpenTrain's live one of the same type and milestone. */
  learnApprovals(live: readonly { id: string; type: string; milestoneId: string | null }[]): void {
    for (const move of this.moves) {
      const found = live.find(
        (a) => a.type === APPROVAL_TYPE[move.action] && a.milestoneId === (move.milestoneId ?? null),
      );
      if (found) move.approvalId = found.id;
    }
  }
}

function refuse(refusals: string[]): Expectation {
  return { ok: false, refusals };
}

export function usdToCents(usd: number): number {
  return Math.round(usd * 100);
}

/** Why a reply breaks its expectation, or undefined when it keeps it. */
export function judge(expected: Expectation, reply: Reply): string | undefined {
  if (!reply.ok && !KNOWN_FAILURE_TYPES.has(reply.type))
    return `unexpected error ${reply.type}: ${reply.message}`;
  if (expected.ok) return reply.ok ? undefined : `expected success, got ${reply.type}: ${reply.message}`;
  if (reply.ok) return `expected a refusal (${expected.refusals.join(' | ')}), got success`;
  return expected.refusals.includes(reply.type)
    ? undefined
    : `expected ${expected.refusals.join(' | ')}, got ${reply.type}: ${reply.message}`;
}

/** A repeat's answer is the first one: the same value, or a failure of the same type. */
export function sameOutcome(first: Reply, again: Reply): boolean {
  if (first.ok || again.ok) return first.ok && again.ok && isDeepStrictEqual(first.value, again.value);
  return first.type === again.type;
}

export function describeReply(reply: Reply | undefined): string {
  if (!reply) return 'sent';
  if (!reply.ok) return `refused ${reply.type}`;
  const v = reply.value as {
    id?: string;
    phase?: string;
    fundApprovalId?: string;
    releaseApprovalId?: string;
  };
  if (v.id)
    return `ok ${v.id}${v.fundApprovalId ? ` fund ${v.fundApprovalId}` : ''}${v.releaseApprovalId ? ` release ${v.releaseApprovalId}` : ''}`;
  return `ok ${v.phase ?? ''}`.trim();
}
