import type { EngagementSnapshot } from './engagement-model';
import { ACTIVE_FUNDED, NOT_FUNDED, isReleased } from './engagement-milestone-status';
import type { OpenTrainEventNotice } from './inputs';

/**
 * Whether an OpenTrain event about our contract says something the engagement does not know or expect already,
 * so the contract must be read again. A calm lifecycle's own moves raise most events (created, funded, paid,
 * invoices, budget states), and each move reads its own outcome: re-reading the contract for them cost a read per
 * event. What nothing of ours explains (a status we neither hold nor await, another party's change) is read.
 */
export function eventNeedsContractRead(s: EngagementSnapshot, notice: OpenTrainEventNotice): boolean {
  const open = (s.intents ?? []).filter((i) => i.status === 'open');
  const moving = (action: string, milestoneId?: string) =>
    open.some(
      (i) => i.move?.action === action && (milestoneId === undefined || i.move.milestoneId === milestoneId),
    );
  // Our end settles every milestone's fate and reads the ended contract itself.
  if (moving('end')) return false;
  switch (notice.type) {
    case 'milestone.status_changed': {
      const { milestoneId, status } = notice;
      if (!milestoneId || !status) return true;
      const held = s.milestones.find((m) => m.id === milestoneId);
      if (held?.status === status) return false;
      if (status === NOT_FUNDED)
        return !held && !open.some((i) => i.kind === 'add_milestone' && i.milestoneId === undefined);
      if (status === ACTIVE_FUNDED) return !moving('fund', milestoneId);
      if (isReleased(status)) return !moving('release', milestoneId);
      return true;
    }
    case 'payment.pending':
      // The invoice a release of ours raised while it waits for the human.
      return !(notice.milestoneId && moving('release', notice.milestoneId));
    case 'contract.budget_state_changed':
      // OK / LOW / DEPLETED follow the funding the engagement does and counts itself; milestones did not change.
      return false;
    default:
      return true;
  }
}
