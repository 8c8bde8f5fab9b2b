import type { ApprovalSnapshot } from '../domain/engagement-model';
import { callOpenTrain } from './errors';
import type { EngagementOpenTrain } from './deps';
import { toApprovalSnapshot } from './snapshots';

export function createApprovalActivities(openTrain: EngagementOpenTrain) {
  return {
    /** Read one approval; a pending one past `expiresAt` flips to `expired` on this read (lazy expiry). */
    async fetchApproval(input: { approvalId: string }): Promise<ApprovalSnapshot> {
      return toApprovalSnapshot(await callOpenTrain((o) => openTrain.getApproval(input.approvalId, o)));
    },
  };
}
