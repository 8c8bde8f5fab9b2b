import type { EngagementState } from '../domain/engagement-view';

/**
 * The parts of an engagement's state a caller acts on: its phase, the approvals waiting for the human (a new one
 * requested, one resolved or re-requested), each milestone's status, what is parked, what blocks it, and each of the
 * trainer's messages (a reply is something to answer). History
 * lines and timestamps are left out, so a watcher wakes for a decision, not for bookkeeping.
 */
export function decisionPointsOf(state: EngagementState): unknown {
  return {
    phase: state.phase,
    approvals: state.pendingApprovals.map((a) => [a.approvalId, a.attempt]),
    milestones: state.milestones.map((m) => [m.id, m.status]),
    parked: state.parked.map((p) => [p.approvalId, p.reason]),
    blockers: state.blockers.map((b) => [b.kind, b.message]),
    trainerMessages: state.thread?.messages.filter((m) => m.sender === 'trainer').map((m) => m.id) ?? [],
  };
}
