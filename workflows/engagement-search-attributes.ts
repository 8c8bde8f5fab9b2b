import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { condition, isCancellation, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { EngagementMachine } from '../domain/engagement-machine';
import {
  EngagementPhase,
  NextApprovalExpiry,
  OpenTrainContractId,
  OpenTrainProposalId,
} from '../domain/search-attributes';

/**
 * Keeps the engagement's search attributes (no PII) in step with its state, upserting only what changed so
 * history stays small: phase, proposal and contract ids, and the earliest pending approval expiry.
 */
export function publishSearchAttributes(machine: EngagementMachine): void {
  const current = workflowInfo().typedSearchAttributes;
  const desired: { phase: string; proposalId: string; contractId?: string; expiry?: string } = {
    phase: machine.phase,
    proposalId: machine.snapshot.proposalId,
    contractId: machine.contractId,
    expiry: machine.nextApprovalExpiry(),
  };
  const updates: SearchAttributeUpdatePair[] = [];
  if (current.get(EngagementPhase) !== desired.phase)
    updates.push({ key: EngagementPhase, value: desired.phase });
  if (current.get(OpenTrainProposalId) !== desired.proposalId)
    updates.push({ key: OpenTrainProposalId, value: desired.proposalId });
  if (desired.contractId && current.get(OpenTrainContractId) !== desired.contractId)
    updates.push({ key: OpenTrainContractId, value: desired.contractId });
  const expiry = current.get(NextApprovalExpiry);
  if (
    (expiry?.toISOString() ?? undefined) !==
    (desired.expiry ? new Date(desired.expiry).toISOString() : undefined)
  )
    updates.push({ key: NextApprovalExpiry, value: desired.expiry ? new Date(desired.expiry) : null });
  if (updates.length) upsertSearchAttributes(updates);
}

/** Publish now and after every change of the state, for the life of the run. */
export function keepSearchAttributesPublished(machine: EngagementMachine): void {
  void (async () => {
    for (;;) {
      const seen = machine.revision;
      publishSearchAttributes(machine);
      await condition(() => machine.revision !== seen);
    }
  })().catch((err: unknown) => {
    // A cancelled engagement publishes its last state itself (engagement.ts).
    if (!isCancellation(err)) throw err;
  });
}
