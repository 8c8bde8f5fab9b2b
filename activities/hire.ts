import { ApplicationFailure } from '@temporalio/common';
import { log } from '@temporalio/activity';
import type { ApprovalSnapshot, ContractSnapshot } from '../domain/engagement-model';
import { callOpenTrain, failureType } from './errors';
import type { EngagementOpenTrain } from './deps';
import { toApprovalSnapshot, toContractSnapshot } from './snapshots';

export interface RequestHireInput {
  proposalId: string;
  /** Always the same terms for one engagement: OpenTrain then returns the same pending approval on a retry. */
  milestone: { name?: string; description?: string; amountCents: number; dueDate?: string };
  confirmNotFitOverride: boolean;
  /** Known from an earlier hire approval; narrows the contract search after `already_accepted`. */
  jobId?: string;
}

export type RequestHireResult =
  { kind: 'requested'; approval: ApprovalSnapshot } | { kind: 'already_hired'; contract: ContractSnapshot };

export function createHireActivities(openTrain: EngagementOpenTrain) {
  async function findHiredContract(proposalId: string, jobId: string | undefined): Promise<ContractSnapshot> {
    const contracts = await callOpenTrain((o) => openTrain.listContracts(jobId ? { jobId } : {}, o));
    const found = contracts.find((c) => c.proposalId === proposalId);
    if (!found) {
      // The hire was accepted a moment ago; the contract list may lag behind. Retry, bounded by the activity.
      throw ApplicationFailure.retryable(
        `no contract found yet for hired proposal ${proposalId}`,
        'contract_not_found',
      );
    }
    return toContractSnapshot(await callOpenTrain((o) => openTrain.getContract(found.id, o)));
  }

  return {
    /**
     * Request the hire (co-signed). A 409 `already_accepted` proves the hire already happened: it is reconciled
     * by finding the contract (by jobId when known, else among all contracts by proposalId) — never retried.
     */
    async requestHire(input: RequestHireInput): Promise<RequestHireResult> {
      try {
        const envelope = await callOpenTrain((o) =>
          openTrain.hireProposal(
            input.proposalId,
            {
              milestone: input.milestone,
              ...(input.confirmNotFitOverride ? { confirmNotFitOverride: true } : {}),
            },
            o,
          ),
        );
        return { kind: 'requested', approval: toApprovalSnapshot(envelope.approval) };
      } catch (err) {
        if (failureType(err) !== 'already_accepted') throw err;
        log.info('hire already accepted; reading the contract instead', { proposalId: input.proposalId });
        return { kind: 'already_hired', contract: await findHiredContract(input.proposalId, input.jobId) };
      }
    },
  };
}
