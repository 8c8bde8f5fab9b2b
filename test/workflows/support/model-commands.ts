import fc from 'fast-check';
import type { EngagementSystem } from './model-system';
import type { Decision, EngagementModel, Request, Via } from './model-state';

/**
 * The commands of the model-based test. Targets are picked by index (`pick`) from the model when the command runs,
 * so a shrunk sequence stays meaningful; the run trace (in the failure message) names the ids they resolved to.
 */

type Command = fc.AsyncCommand<EngagementModel, EngagementSystem>;

/** A request under a new key. New requests stop once the workflow has closed: nothing is left to ask. */
abstract class NewRequest implements Command {
  constructor(readonly via: Via) {}
  check(m: Readonly<EngagementModel>): boolean {
    return !m.closed();
  }
  abstract build(m: EngagementModel, key: string): Request;
  run(m: EngagementModel, r: EngagementSystem): Promise<void> {
    return r.request(m, this.via, (key) => this.build(m, key));
  }
  abstract toString(): string;
}

export class AddMilestone extends NewRequest {
  constructor(
    readonly amountUsd: number,
    readonly fund: boolean,
    via: Via,
  ) {
    super(via);
  }
  // The key in the description ties each milestone on OpenTrain to the add intent that asked for it.
  build(_m: EngagementModel, key: string): Request {
    return { kind: 'add', args: { description: `batch ${key}`, amountUsd: this.amountUsd, fund: this.fund } };
  }
  toString() {
    return `AddMilestone($${this.amountUsd}${this.fund ? ', fund' : ''}, ${this.via})`;
  }
}

/**
 * Fund or release a milestone. `aimed`: among the milestones the move suits (not funded / funded, none under way),
 * when there are any; otherwise among all, so refusals get their share too.
 */
export class MoveMilestone extends NewRequest {
  constructor(
    readonly kind: 'fund' | 'release',
    readonly pick: number,
    readonly aimed: boolean,
    via: Via,
  ) {
    super(via);
  }
  override check(m: Readonly<EngagementModel>): boolean {
    return super.check(m) && m.milestones.length > 0;
  }
  build(m: EngagementModel): Request {
    const suits = m.milestones.filter(
      (x) =>
        x.status === (this.kind === 'fund' ? 'NOT_FUNDED' : 'ACTIVE_FUNDED') && !m.moveFor(this.kind, x.id),
    );
    const among = this.aimed && suits.length ? suits : m.milestones;
    return { kind: this.kind, args: { milestoneId: among[this.pick % among.length]!.id } };
  }
  toString() {
    const name = this.kind === 'fund' ? 'Fund' : 'Release';
    return `${name}(milestone #${this.pick}${this.aimed ? ' aimed' : ''}, ${this.via})`;
  }
}

export class EndContract extends NewRequest {
  build(): Request {
    return { kind: 'end', args: {} };
  }
  toString() {
    return `EndContract(${this.via})`;
  }
}

/**
 * Retry a parked item (by its approval or its milestone); with nothing parked, a milestone: nothing_to_retry.
 * `aimed` retries run only when something is parked.
 */
export class Retry extends NewRequest {
  constructor(
    readonly pick: number,
    readonly byMilestone: boolean,
    readonly aimed: boolean,
  ) {
    super('update');
  }
  override check(m: Readonly<EngagementModel>): boolean {
    return super.check(m) && m.milestones.length > 0 && (!this.aimed || m.parked.length > 0);
  }
  build(m: EngagementModel): Request {
    const item = m.parked[this.pick % Math.max(1, m.parked.length)];
    if (!item)
      return { kind: 'retry', args: { milestoneId: m.milestones[this.pick % m.milestones.length]!.id } };
    const args =
      this.byMilestone && item.milestoneId
        ? { milestoneId: item.milestoneId }
        : { approvalId: item.approvalId };
    return { kind: 'retry', args };
  }
  toString() {
    return `Retry(${this.aimed ? '' : 'maybe '}parked #${this.pick}${this.byMilestone ? ', by milestone' : ''})`;
  }
}

/** A duplicate delivery: an earlier request again, under its key, through the same or the other door. */
export class Repeat implements Command {
  constructor(
    readonly pick: number,
    readonly door: 'same' | 'update' | 'signal',
  ) {}
  check(m: Readonly<EngagementModel>): boolean {
    return m.sent.length > 0;
  }
  run(m: EngagementModel, r: EngagementSystem): Promise<void> {
    const sent = m.sent[this.pick % m.sent.length]!;
    const door = this.door === 'same' ? (sent.via === 'signal' ? 'signal' : 'update') : this.door;
    return r.repeat(m, sent, door);
  }
  toString() {
    return `Repeat(request #${this.pick}, ${this.door} door)`;
  }
}

/** An earlier key with other arguments: refused with idempotency_key_mismatch, and nothing happens. */
export class ReuseKey implements Command {
  constructor(
    readonly pick: number,
    readonly door: 'update' | 'signal',
  ) {}
  check(m: Readonly<EngagementModel>): boolean {
    return m.sent.length > 0;
  }
  run(m: EngagementModel, r: EngagementSystem): Promise<void> {
    const sent = m.sent[this.pick % m.sent.length]!;
    const other: Request =
      sent.request.kind === 'add'
        ? { kind: 'add', args: { ...sent.request.args, amountUsd: sent.request.args.amountUsd + 1 } }
        : { kind: 'add', args: { description: `batch ${sent.key} (other)`, amountUsd: 25, fund: false } };
    return r.repeat(m, sent, this.door, other);
  }
  toString() {
    return `ReuseKey(request #${this.pick}, ${this.door})`;
  }
}

/** The human confirms, declines or lets expire the approval of one open move. */
export class Human implements Command {
  constructor(
    readonly pick: number,
    readonly decision: Decision,
  ) {}
  check(m: Readonly<EngagementModel>): boolean {
    return m.moves.length > 0;
  }
  run(m: EngagementModel, r: EngagementSystem): Promise<void> {
    return r.decide(m, m.moves[this.pick % m.moves.length]!, this.decision);
  }
  toString() {
    return `Human(${this.decision} approval #${this.pick})`;
  }
}

const via = fc.constantFrom<Via>('update', 'update', 'signal', 'both');
const pick = fc.nat({ max: 7 });
/** Three in four moves aim at a milestone they suit: refusals are cheap to reach, accepted moves are not. */
const aimed = fc.constantFrom(true, true, true, false);

/** The command mix; entries repeat to weigh what matters most (money moves and the human's answers). */
export function commandArbitraries(): fc.Arbitrary<Command>[] {
  const add = fc
    .tuple(fc.integer({ min: 20, max: 300 }), fc.boolean(), via)
    .map(([amount, fund, v]) => new AddMilestone(amount, fund, v));
  const fund = fc.tuple(pick, aimed, via).map(([p, a, v]) => new MoveMilestone('fund', p, a, v));
  const release = fc.tuple(pick, aimed, via).map(([p, a, v]) => new MoveMilestone('release', p, a, v));
  const human = fc
    .tuple(pick, fc.constantFrom<Decision>('confirm', 'confirm', 'decline', 'expire'))
    .map(([p, d]) => new Human(p, d));
  return [
    add,
    add,
    fund,
    release,
    human,
    human,
    human,
    via.map((v) => new EndContract(v)),
    fc.tuple(pick, fc.boolean(), aimed).map(([p, b, a]) => new Retry(p, b, a)),
    fc
      .tuple(pick, fc.constantFrom('same', 'update', 'signal') as fc.Arbitrary<'same' | 'update' | 'signal'>)
      .map(([p, d]) => new Repeat(p, d)),
    fc
      .tuple(pick, fc.constantFrom<'update' | 'signal'>('update', 'signal'))
      .map(([p, d]) => new ReuseKey(p, d)),
  ];
}
