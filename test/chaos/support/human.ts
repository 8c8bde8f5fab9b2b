import type { SandboxApproval, SandboxControl } from '../../../sandbox/control-client';
import { pause, randomBetween } from './processes';

/**
 * Which agents are backing off from a failed call right now, so the human can confirm exactly then: the
 * approval the failed call asked for is executed while its caller is about to repeat the call — the retry must
 * then get the first outcome, not a second request or a refusal.
 */
export class BackoffBoard {
  private readonly backingOff = new Set<string>();
  private readonly byProposal = new Map<string, string>();
  private readonly byContract = new Map<string, string>();

  register(engagementId: string, ids: { proposalId?: string; contractId?: string }): void {
    if (ids.proposalId) this.byProposal.set(ids.proposalId, engagementId);
    if (ids.contractId) this.byContract.set(ids.contractId, engagementId);
  }

  enter(engagementId: string): void {
    this.backingOff.add(engagementId);
  }

  leave(engagementId: string): void {
    this.backingOff.delete(engagementId);
  }

  engagementOf(approval: SandboxApproval): string | undefined {
    return (
      (approval.contractId ? this.byContract.get(approval.contractId) : undefined) ??
      (approval.proposalId ? this.byProposal.get(approval.proposalId) : undefined)
    );
  }

  isBackingOff(engagementId: string): boolean {
    return this.backingOff.has(engagementId);
  }
}

export interface HumanOptions {
  delayMaxMs: number;
  duringBackoffOneIn: number;
  /** How long a chosen approval waits for its agent to back off before it is confirmed anyway. */
  backoffWaitMs: number;
  /** Hard end of the watch loop, even if nobody calls stop(). */
  untilMs: number;
}

/**
 * The person on the approval pages: confirms every pending approval (through the control API, which is never
 * faulted) after a random 0–1.5 s, and 1 in 8 of them during the agent's retry back-off.
 */
export class ScriptedHuman {
  confirmed = 0;
  confirmedDuringBackoff = 0;
  /** Chosen for the back-off window, but the agent never backed off in time. */
  backoffWindowsMissed = 0;
  /** Approvals the sandbox would not let the human confirm (e.g. a duplicate request for a settled action). */
  readonly refused: { approvalId: string; type: string; error: string }[] = [];
  private readonly seen = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private loop?: Promise<void>;

  constructor(
    private readonly control: SandboxControl,
    private readonly board: BackoffBoard,
    private readonly options: HumanOptions,
  ) {}

  start(): void {
    this.loop = this.watch();
  }

  private async watch(): Promise<void> {
    const { signal } = this.stopping;
    while (!signal.aborted && Date.now() < this.options.untilMs) {
      try {
        for (const approval of await this.control.listApprovals({ status: 'pending' })) {
          if (this.seen.has(approval.id)) continue;
          this.seen.add(approval.id);
          const task = this.handle(approval).finally(() => this.inFlight.delete(task));
          this.inFlight.add(task);
        }
      } catch {
        // The sandbox runs in this process and is never faulted; a failed read is simply read again.
      }
      await pause(200, signal);
    }
  }

  private async handle(approval: SandboxApproval): Promise<void> {
    const { signal } = this.stopping;
    const engagementId = this.board.engagementOf(approval);
    let duringBackoff = false;
    if (engagementId && Math.random() * this.options.duringBackoffOneIn < 1) {
      const until = Date.now() + this.options.backoffWaitMs;
      while (!signal.aborted && Date.now() < until && !this.board.isBackingOff(engagementId))
        await pause(25, signal);
      duringBackoff = this.board.isBackingOff(engagementId);
      if (!duringBackoff) this.backoffWindowsMissed += 1;
    } else {
      await pause(randomBetween(0, this.options.delayMaxMs), signal);
    }
    if (signal.aborted) return;
    try {
      await this.control.confirmApproval(approval.id);
      this.confirmed += 1;
      if (duringBackoff) this.confirmedDuringBackoff += 1;
    } catch (err) {
      this.refused.push({
        approvalId: approval.id,
        type: approval.type,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    await Promise.all([...this.inFlight]);
  }
}
