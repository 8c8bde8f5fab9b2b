import { WAIT_AND_REPEAT_CODES } from '../../../domain/engagement-errors';
import { engagementWorkflowId } from '../../../domain/ids';
import type { engagementWorkflow } from '../../../workflows';
import {
  approvalProblems,
  milestoneProblems,
  moneyProblems,
  openIntentKeys,
  stateProblems,
} from './model-invariants';
import type { ModelWorld } from './model-world';
import {
  EngagementModel,
  MAX_RE_REQUESTS,
  describeReply,
  judge,
  sameOutcome,
  usdToCents,
  type Decision,
  type Move,
  type Reply,
  type Request,
  type Sent,
  type Via,
} from './model-state';
import type { ModelSuite } from './model-suite';
import { EngagementConnection, until } from './model-temporal';

/** The refusals an update's validator gives (WAIT_AND_REPEAT_CODES): they leave no trace under the key. */
const NOT_NOW = new Set<string>(WAIT_AND_REPEAT_CODES);

/**
 * The system under test for one run: one engagement on the shared dev server and its OpenTrain world. Every step
 * is delivered, waited on until the engagement is quiet, judged against the model, and followed by all the
 * invariants. The trace says what happened, with the ids the commands resolved to.
 */

export interface RunSetup {
  firstAmountUsd: number;
  budgetUsd: number | undefined;
  /** The hire's approval expires this many times (each one asked again), then the human acts. */
  hire: { expiries: number; outcome: 'confirm' | 'edit' | 'decline'; editUsd: number };
  inDoubtAt: number[];
  /** Update ids as the TypeScript client makes them (key + request digest), or the bare key. */
  digestUpdateIds: boolean;
}

let runCount = 0;

export class EngagementSystem {
  readonly trace: string[] = [];
  private keys = 0;

  private constructor(
    private readonly suite: ModelSuite,
    readonly world: ModelWorld,
    private readonly engagement: EngagementConnection,
    private readonly digestUpdateIds: boolean,
  ) {}

  /** Start a fresh engagement (its hire is the first step of the run, `hire`). */
  static async start(suite: ModelSuite, setup: RunSetup): Promise<EngagementSystem> {
    runCount += 1;
    const proposalId = `p-model-${process.pid}-${runCount}`;
    const workflowId = engagementWorkflowId(proposalId);
    const budgetCents = setup.budgetUsd === undefined ? undefined : usdToCents(setup.budgetUsd);
    const world = suite.openTrain.open(workflowId, budgetCents, setup.inDoubtAt);
    await suite.env.client.workflow.start<typeof engagementWorkflow>('engagementWorkflow', {
      taskQueue: suite.taskQueue,
      workflowId,
      args: [
        {
          proposalId,
          firstMilestone: { description: 'first batch', amountUsd: setup.firstAmountUsd },
          budgetUsd: setup.budgetUsd,
          policy: { maxReRequestsAfterExpiry: MAX_RE_REQUESTS },
        },
      ],
    });
    const connection = new EngagementConnection(suite.env.client.workflow, workflowId, setup.digestUpdateIds);
    const system = new EngagementSystem(suite, world, connection, setup.digestUpdateIds);
    system.note(`start ${workflowId}: ${JSON.stringify(setup)}`);
    return system;
  }

  /** The hire as the setup says: expiries (each asked again), a decline (parked, then `retry`), the confirmation. */
  async hire(setup: RunSetup): Promise<EngagementModel> {
    const pendingHire = async () => {
      await until(() => this.world.liveFor('proposal_hire', null) !== undefined, 'the hire approval');
      await this.quiesce();
      return this.world.liveFor('proposal_hire', null)!.id;
    };
    for (let i = 0; i < setup.hire.expiries; i++) await this.human(await pendingHire(), 'expire');
    const { outcome, editUsd } = setup.hire;
    let retry: Sent | undefined;
    if (outcome === 'decline') {
      // A declined hire is parked until `retry` (the human's decision, not a failure of the engagement).
      const approvalId = await pendingHire();
      await this.human(approvalId, 'decline');
      const request: Request = { kind: 'retry', args: { approvalId } };
      retry = { key: this.nextKey(), request, via: 'update', expected: { ok: true } };
      retry.reply = await this.engagement.update(request, retry.key);
      this.note(`${retry.key} ${label(request)} via update → ${describeReply(retry.reply)}`);
      const problem = judge(retry.expected, retry.reply);
      if (problem) this.fail(`${retry.key} retry of the declined hire: ${problem}`);
    }
    const amountCents = usdToCents(outcome === 'edit' ? editUsd : setup.firstAmountUsd);
    await this.human(await pendingHire(), 'confirm', amountCents);
    const model = new EngagementModel(this.world.budgetCents, {
      id: this.world.milestones[0]!.id,
      amountCents,
    });
    if (retry) model.sent.push(retry);
    await this.check(model);
    return model;
  }

  nextKey(): string {
    this.keys += 1;
    return `k${this.keys}`;
  }

  note(line: string): void {
    this.trace.push(line);
  }

  fail(problem: string): never {
    throw new Error(problem);
  }

  /** Any failure of the run, with the trace that led to it (fast-check prints it for the shrunk sequence). */
  withTrace(err: unknown): Error {
    const message = err instanceof Error ? err.message : String(err);
    return new Error(`${message}\n  run trace:\n    ${this.trace.join('\n    ')}`);
  }

  private tally(what: string, count = 1): void {
    this.suite.coverage.set(what, (this.suite.coverage.get(what) ?? 0) + count);
  }

  // ---------------------------------------------------------------- requests

  /** A request under a new key: its answer must be the model's, its effect the model's. */
  async request(model: EngagementModel, via: Via, build: (key: string) => Request): Promise<void> {
    const key = this.nextKey();
    const request = build(key);
    const expected = model.expect(request);
    const reply = await this.engagement.deliver(request, key, via);
    await this.quiesce();
    this.note(`${key} ${label(request)} via ${via} → ${describeReply(reply)}`);
    this.tally(`${request.kind} via ${via}${expected.ok ? '' : ' (refused)'}`);
    const problem = reply && judge(expected, reply);
    if (problem) this.fail(`${key} ${label(request)}: ${problem}`);
    // An update refused "not now" was rejected before acceptance: its key holds nothing to repeat or reuse.
    if (reply && !reply.ok && NOT_NOW.has(reply.type)) return void (await this.check(model));
    model.sent.push({ key, request, via, expected, reply: via === 'signal' ? undefined : reply });
    if (expected.ok) {
      const created =
        request.kind === 'add'
          ? this.world.milestones.find((m) => m.description === request.args.description)
          : undefined;
      if (request.kind === 'add' && !created)
        this.fail(`${key}: the accepted add created no milestone on OpenTrain`);
      model.accept(request, key, created?.id);
    }
    await this.check(model);
  }

  /** Deliver an earlier request again under its key (`other`: other arguments): nothing new may happen. */
  async repeat(
    model: EngagementModel,
    sent: Sent,
    door: 'update' | 'signal',
    other?: Request,
  ): Promise<void> {
    const requestsBefore = this.world.requests.length;
    const request = other ?? sent.request;
    const reply = door === 'update' ? await this.engagement.update(request, sent.key) : undefined;
    if (door === 'signal') await this.engagement.signal(request, sent.key);
    await this.quiesce();
    const what = other ? 'reuse' : 'repeat';
    this.note(`${what} ${sent.key} ${label(request)} via ${door} → ${describeReply(reply)}`);
    this.tally(`${what} via ${door}`);
    if (reply) this.judgeRepeat(model, sent, reply, other !== undefined);
    const extra = this.world.requests.slice(requestsBefore).map((r) => r.name);
    if (extra.length) this.fail(`${what} of ${sent.key} made new OpenTrain requests: ${extra.join(', ')}`);
    await this.check(model);
  }

  private judgeRepeat(model: EngagementModel, sent: Sent, reply: Reply, mismatch: boolean): void {
    // Once the workflow has closed, only the server's record of completed updates can answer a repeat.
    if (model.closed() && !reply.ok && reply.type === 'workflow_closed') return;
    const first = sent.reply;
    if (mismatch) {
      // A bare key is the same update id: the server answers it from its own record (the first outcome) without
      // asking the workflow. With a digest the update id differs, and the workflow must refuse it.
      const cached = !this.digestUpdateIds && first !== undefined && sameOutcome(first, reply);
      if (!cached && (reply.ok || reply.type !== 'idempotency_key_mismatch'))
        this.fail(
          `reusing ${sent.key} with other arguments answered ${brief(reply)}, not idempotency_key_mismatch`,
        );
      return;
    }
    if (!first) {
      // The first answer for this key (it came through the signal door): it must be what the model expected then.
      const problem = judge(sent.expected, reply);
      if (problem) this.fail(`repeat of ${sent.key} as an update: ${problem}`);
      sent.reply = reply;
    } else if (!sameOutcome(first, reply))
      this.fail(`repeat of ${sent.key} answered ${brief(reply)}; the first answer was ${brief(first)}`);
  }

  // ---------------------------------------------------------------- the human

  /** The human decides in the app; event ingestion signals the workflow, as the updates feed does. */
  async human(approvalId: string, decision: Decision, hireAmountCents?: number): Promise<void> {
    if (!this.world.decide(approvalId, decision, hireAmountCents))
      this.fail(`OpenTrain cannot execute approval ${approvalId} (its action is no longer possible)`);
    const status = this.world.approvals.find((a) => a.id === approvalId)!.status;
    this.note(`human: ${approvalId} ${status}${hireAmountCents ? ` (hire of ${hireAmountCents}¢)` : ''}`);
    this.tally(`human ${status}`);
    if (!(await this.engagement.approvalResolved(approvalId, status)))
      this.note(`  (the workflow had closed: ${approvalId} was not followed)`);
    await this.quiesce();
  }

  async decide(model: EngagementModel, move: Move, decision: Decision): Promise<void> {
    if (!move.approvalId) this.fail(`the ${move.action} of ${move.key} has no approval on OpenTrain`);
    await this.human(move.approvalId, decision);
    model.decide(move, decision);
    await this.check(model);
  }

  // ---------------------------------------------------------------- observing

  private async quiesce(): Promise<void> {
    const runs = this.engagement.begunRuns.size;
    await this.engagement.quiesce();
    if (runs && this.engagement.begunRuns.size > runs) {
      this.note('  (continued as new)');
      this.tally('continued as new');
    }
  }

  /** All invariants, after the step has settled. */
  async check(model: EngagementModel): Promise<void> {
    model.learnApprovals(this.world.live());
    const state = await this.engagement.state();
    const problems = [
      ...moneyProblems(this.world),
      ...milestoneProblems(model, this.world),
      ...approvalProblems(model, this.world),
      ...stateProblems(model, this.world, state),
    ];
    if (problems.length) this.fail(`invariants broken:\n    - ${problems.join('\n    - ')}`);
  }

  /** The end of a run: the human confirms whatever is pending, the model ends the contract, everything settles. */
  async settle(model: EngagementModel): Promise<void> {
    this.note('-- settle');
    for (let round = 0; round < 4 && !model.closed(); round++) {
      for (const move of [...model.moves]) await this.decide(model, move, 'confirm');
      if (model.phase === 'active') await this.request(model, 'update', () => ({ kind: 'end', args: {} }));
    }
    if (!model.closed()) this.fail('the engagement did not end after four rounds of confirming and ending');
    const final = await this.engagement.result();
    const open = openIntentKeys(final);
    const followed = final.pendingApprovals.map((p) => p.approvalId);
    const problems = [
      ...(open?.length ? [`intents still open at the end: ${open.join(', ')}`] : []),
      ...(followed.length ? [`approvals still followed at the end: ${followed.join(', ')}`] : []),
      ...stateProblems(model, this.world, final),
    ];
    if (problems.length) this.fail(`the final state is not settled:\n    - ${problems.join('\n    - ')}`);
    this.tally(`in-doubt faults injected`, this.world.faultsInjected);
    // Not a failure: the client sends such an update again under its key (client/update-delivery.ts).
    if (this.engagement.abortedUpdates)
      this.tally('updates re-sent after their task failed', this.engagement.abortedUpdates);
  }

  async close(): Promise<void> {
    await this.engagement.terminate();
    this.suite.openTrain.close(this.engagement.workflowId);
  }
}

function label(request: Request): string {
  const args = request.args as Record<string, unknown>;
  const detail = Object.values(args).map((v) =>
    typeof v === 'boolean' ? (v ? 'fund' : 'nofund') : String(v),
  );
  return `${request.kind}(${detail.join(' ')})`;
}

/** A reply in a line: the value's gist (a full state is long), or the refusal with its message. */
function brief(reply: Reply): string {
  return reply.ok
    ? `${describeReply(reply)} ${JSON.stringify(reply.value).slice(0, 200)}…`
    : `${reply.type} (${reply.message})`;
}
