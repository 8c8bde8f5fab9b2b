import type { AgentRecord } from './agent';
import type { Verdict } from './verdict';

export interface RunCounts {
  engagements: number;
  workerKills: number;
  workerSelfExits: number;
  serverRestarts: number;
  confirmed: number;
  confirmedDuringBackoff: number;
  backoffWindowsMissed: number;
  /** Confirmations the sandbox refused (409): a request for an action that could no longer happen. */
  humanRefused: number;
  agentCalls: number;
  agentFailedCalls: number;
  refusalsWaitedOut: number;
  wallMs: number;
}

/** The one-line table the suite prints at the end, pass or fail. */
export function summaryLine(counts: RunCounts, verdict: Verdict): string {
  const cells: [string, string | number][] = [
    ['engagements', counts.engagements],
    ['ended', verdict.ended],
    ['worker kills', `${counts.workerKills} (+${counts.workerSelfExits} self-exits)`],
    ['server restarts', counts.serverRestarts],
    [
      'faults 500 (on writes) / 429',
      `${verdict.status500} (${verdict.writes500}) / ${verdict.status429} of ${verdict.requests} req`,
    ],
    ['money moves', verdict.executedMoneyMoves],
    ['executed twice', verdict.doubleExecutions],
    [
      'approvals confirmed (in back-off / window missed)',
      `${counts.confirmed} (${counts.confirmedDuringBackoff} / ${counts.backoffWindowsMissed})`,
    ],
    ['human refused', counts.humanRefused],
    ['approvals left pending', verdict.pendingLeft],
    [
      'agent calls (failed / refusals waited out)',
      `${counts.agentCalls} (${counts.agentFailedCalls} / ${counts.refusalsWaitedOut})`,
    ],
    ['wall', `${Math.round(counts.wallMs / 1000)} s`],
    ['problems', verdict.problems.length],
  ];
  return `CHAOS | ${cells.map(([name, value]) => `${name}: ${value}`).join(' | ')}`;
}

function ago(ms: number | undefined): string {
  return ms === undefined ? 'never' : `${Math.round((Date.now() - ms) / 1000)} s ago`;
}

/**
 * Everything known about an engagement that did not finish: where its agent stood, what the workflow said, and
 * what OpenTrain itself holds (its contract's milestones, every approval for it and whether the human confirmed).
 */
export function dumpUnfinished(agents: AgentRecord[], verdict: Verdict, feedStatus: string): string {
  const blocks = agents
    .filter((a) => !a.done)
    .map((a) => {
      const s = a.lastState;
      const contract = verdict.contracts.find((c) => c.proposalId === a.proposalId);
      const approvals = verdict.approvals.filter(
        (x) => x.proposalId === a.proposalId || (contract !== undefined && x.contractId === contract.id),
      );
      const lines = [
        `── ${a.engagementId} (#${a.index}) ${a.failure ? `stopped: ${a.failure}` : `still ${a.step}`}`,
        `   step since ${ago(a.stepSinceMs)}; calls ${a.calls} (${a.failedCalls} failed); last error: ${a.lastError ?? 'none'}`,
      ];
      if (s) {
        lines.push(
          `   last state (read ${ago(a.lastStateAtMs)}): phase ${s.phase}, contract ${s.contractId ?? '—'}`,
          `   milestones: ${s.milestones.map((m) => `${m.id} ${m.status} $${m.amountUsd}`).join(', ') || 'none'}`,
          `   pending: ${s.pendingApprovals.map((p) => `${p.type} ${p.approvalId} ${p.milestoneId ?? ''}`).join(', ') || 'none'}`,
          `   parked: ${JSON.stringify(s.parked)}  blockers: ${JSON.stringify(s.blockers)}`,
          '   history:',
          ...s.history.map((h) => `     ${h.at} ${h.kind}: ${h.detail}`),
        );
      } else {
        lines.push('   no state was ever read');
      }
      lines.push(
        `   on OpenTrain: contract ${contract ? `${contract.id} ${contract.status}` : 'none'}; milestones ${
          contract?.milestones.map((m) => `${m.id} ${m.status} "${m.description}"`).join(', ') || 'none'
        }`,
        '   approvals on OpenTrain:',
        ...approvals.map(
          (x) =>
            `     ${x.id} ${x.type} ${x.milestoneId ?? ''} ${x.status} created ${x.createdAt} resolved ${x.resolvedAt ?? '—'}`,
        ),
        '   agent:',
        ...a.log.map((line) => `     ${line}`),
      );
      return lines.join('\n');
    });
  return [`updates feed: ${feedStatus}`, ...blocks].join('\n');
}
