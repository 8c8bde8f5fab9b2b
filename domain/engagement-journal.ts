import type { EngagementSnapshot } from './engagement-model';
import type { Phase } from './phases';

/**
 * What every concern module of the engagement (hire, milestones, budget, approvals, guards) works on: the plain
 * snapshot, and the one way to write down what changed. `EngagementMachine` is the implementation.
 */
export interface Journal {
  readonly s: EngagementSnapshot;
  record(now: string, kind: string, detail: string): void;
  setPhase(now: string, phase: Phase): void;
}
