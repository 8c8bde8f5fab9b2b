import { log } from '@temporalio/activity';
import type { ApprovalSnapshot, ContractSnapshot } from '../domain/engagement-model';
import { callOpenTrain, failureType } from './errors';
import type { EngagementOpenTrain } from './deps';
import { toApprovalSnapshot, toContractSnapshot } from './snapshots';

export type RequestContractEndResult = { kind: 'ended' } | { kind: 'approval'; approval: ApprovalSnapshot };

export function createContractActivities(openTrain: EngagementOpenTrain) {
  return {
    async fetchContract(input: { contractId: string }): Promise<ContractSnapshot> {
      return toContractSnapshot(await callOpenTrain((o) => openTrain.getContract(input.contractId, o)));
    },

    /**
     * End the contract: 200 ended, or 202 with a `contract_end` approval (the same one while pending).
     * A 409 `contract_ended` proves it is already ended (e.g. a retry after a lost 200): reconciled as ended.
     */
    async requestContractEnd(input: { contractId: string }): Promise<RequestContractEndResult> {
      try {
        const result = await callOpenTrain((o) => openTrain.endContract(input.contractId, o));
        return result.kind === 'ended'
          ? { kind: 'ended' }
          : { kind: 'approval', approval: toApprovalSnapshot(result.approval) };
      } catch (err) {
        if (failureType(err) !== 'contract_ended') throw err;
        log.info('contract already ended', { contractId: input.contractId });
        return { kind: 'ended' };
      }
    },
  };
}
