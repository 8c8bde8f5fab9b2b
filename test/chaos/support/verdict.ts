import type { SandboxApproval, SandboxContractRecord, SandboxControl } from '../../../sandbox/control-client';
import { usdToCents } from '../../../domain/money';
import type { AgentRecord } from './agent';

/** What the run did to OpenTrain, counted from the sandbox's own records — never from what the workflow believes. */
export interface Verdict {
  problems: string[];
  ended: number;
  /** Executed money moves beyond one per asked milestone and kind (duplicates of a milestone included). */
  doubleExecutions: number;
  executedMoneyMoves: number;
  requests: number;
  status500: number;
  status429: number;
  /** 500s answered to writes: injected errors and fail-after-commit together (both look alike on the wire). */
  writes500: number;
  pendingLeft: number;
  /** The sandbox's records, for the dump of unfinished engagements. */
  contracts: SandboxContractRecord[];
  approvals: SandboxApproval[];
}

export async function judge(
  control: SandboxControl,
  agents: AgentRecord[],
  budgetUsd: number,
): Promise<Verdict> {
  const [contracts, approvals, ledger, requests] = await Promise.all([
    control.contracts(),
    control.listApprovals(),
    control.ledger(),
    control.requests(),
  ]);
  const problems: string[] = [];
  const confirmed = approvals.filter((a) => a.status === 'confirmed');
  const executed = (type: string, key: 'milestoneId' | 'proposalId', ids: string[]) =>
    confirmed.filter((a) => a.type === type && ids.includes(a[key] ?? '')).length;
  let doubleExecutions = 0;
  let executedMoneyMoves = 0;
  let ended = 0;

  for (const agent of agents) {
    const say = (text: string) => problems.push(`${agent.engagementId}: ${text}`);
    if (!agent.done) say(`did not finish — ${agent.failure ?? `still ${agent.step}`}`);
    const hires = executed('proposal_hire', 'proposalId', [agent.proposalId]);
    executedMoneyMoves += hires;
    if (hires > 1) say(`hire executed ${hires} times`);
    doubleExecutions += Math.max(0, hires - 1);
    const contract = contracts.find((c) => c.proposalId === agent.proposalId);
    if (!contract) {
      if (agent.done) say('ended, yet OpenTrain has no contract for its proposal');
      continue;
    }
    if (contract.status === 'ended' && agent.lastState?.phase === 'ended') ended += 1;
    else if (agent.done) say(`contract ${contract.id} is ${contract.status} on OpenTrain`);

    // Milestones are matched to asks by their (unique) description: an add whose answer was lost and that was
    // repeated must still have made exactly one milestone.
    const unasked = contract.milestones.filter(
      (m) => !agent.asked.some((a) => a.description === m.description),
    );
    for (const m of unasked) say(`milestone ${m.id} "${m.description}" (${m.status}) that nobody asked for`);
    for (const [i, ask] of agent.asked.entries()) {
      const made = contract.milestones.filter((m) => m.description === ask.description);
      const ids = made.map((m) => m.id);
      if (made.length > 1)
        say(
          `"${ask.description}" asked once, on OpenTrain ${made.length}×: ${made.map((m) => `${m.id} ${m.status}`).join(', ')}`,
        );
      if (ask.milestoneId && !ids.includes(ask.milestoneId))
        say(`was answered ${ask.milestoneId} for "${ask.description}", which OpenTrain does not have`);
      const funds = executed('milestone_fund', 'milestoneId', ids);
      const releases = executed('milestone_approve', 'milestoneId', ids);
      executedMoneyMoves += funds + releases;
      // The hire's milestone (ask 0) is funded by the hire itself; every other one by one milestone_fund.
      const fundsExpected = i === 0 ? 0 : 1;
      doubleExecutions += Math.max(0, funds - fundsExpected) + Math.max(0, releases - 1);
      if (funds > fundsExpected || (agent.done && funds < fundsExpected))
        say(`"${ask.description}": ${funds} funding(s) executed, expected ${fundsExpected}`);
      if (releases > 1 || (agent.done && releases < 1))
        say(`"${ask.description}": ${releases} release(s) executed, expected 1`);
    }
    for (const m of unasked) {
      const moves =
        executed('milestone_fund', 'milestoneId', [m.id]) +
        executed('milestone_approve', 'milestoneId', [m.id]);
      executedMoneyMoves += moves;
      doubleExecutions += moves;
    }

    const entries = ledger.filter((e) => e.contractId === contract.id);
    const charged = entries.filter((e) => e.type === 'HOLD').reduce((sum, e) => sum - e.amountCents, 0);
    if (charged > usdToCents(budgetUsd))
      say(`charged ${charged / 100} USD with fees on OpenTrain's ledger, over the budget of ${budgetUsd}`);
    for (const type of ['HOLD', 'CAPTURE'] as const) {
      const perMilestone = new Map<string, number>();
      for (const e of entries)
        if (e.type === type && e.milestoneId)
          perMilestone.set(e.milestoneId, (perMilestone.get(e.milestoneId) ?? 0) + 1);
      for (const [milestoneId, times] of perMilestone)
        if (times > 1) say(`ledger has ${times} ${type} entries for milestone ${milestoneId}`);
    }
  }

  return {
    problems,
    ended,
    doubleExecutions,
    executedMoneyMoves,
    requests: requests.length,
    status500: requests.filter((r) => r.status === 500).length,
    status429: requests.filter((r) => r.status === 429).length,
    writes500: requests.filter((r) => r.status === 500 && r.method !== 'GET').length,
    pendingLeft: approvals.filter((a) => a.status === 'pending').length,
    contracts,
    approvals,
  };
}
