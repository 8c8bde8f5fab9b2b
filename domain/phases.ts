import { z } from 'zod';

/** The engagement's phase, as shown by the `state` query and the `EngagementPhase` search attribute. */
export const phaseSchema = z.enum([
  'checking_preconditions',
  'blocked',
  'awaiting_hire_approval',
  'active',
  'awaiting_end_approval',
  'ended',
  'failed',
  /** Cancelled by its operator: nothing more is sent; the final state lists the approvals still open. */
  'cancelled',
]);
export type Phase = z.infer<typeof phaseSchema>;

export const TERMINAL_PHASES: readonly Phase[] = ['ended', 'failed', 'cancelled'];
