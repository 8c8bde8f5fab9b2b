import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import type { ApprovalSnapshot, ContractSnapshot, MilestoneSnapshot } from '../../domain/engagement-model';
import { doorOf, intentKeyOfUpdateId } from '../../domain/intents';
import { centsToUsd, INITIATION_FEE_CENTS, marketplaceFeeCents } from '../../domain/money';
import type { AuditEntry } from './audit-entry';

export type RunHistory = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
type Payloads = { payloads?: unknown[] | null } | null | undefined;
type Draft = Omit<AuditEntry, 'seq' | 'at' | 'run'>;

/** The activities that ask OpenTrain for a money move (or create the milestone one will be for). */
const REQUESTS: Record<string, string> = {
  requestHire: 'hire',
  createMilestone: 'create_milestone',
  requestFunding: 'fund',
  requestRelease: 'release',
  requestContractEnd: 'end',
};
/** Signals that carry a caller's intent (the others come from event ingestion). */
const INTENT_SIGNALS = /Signal$|^recheckPreconditions$/;

interface ApprovalSeen {
  type: string;
  milestoneId?: string;
  amountCents?: number;
  feesCents?: number;
  key?: string;
  resolved: boolean;
}

/**
 * Reads the decisions out of an engagement's event histories, one run after another (oldest first). Pure: the
 * events are the record. Intents from update and signal events (their door and key in the arguments), requests
 * to OpenTrain and what they answered from activity events, the human's answers from the approval reads, reminders
 * and parks from what the human was told, and each continue-as-new.
 */
export function auditEntriesOf(runs: readonly RunHistory[]): AuditEntry[] {
  const entries: AuditEntry[] = [];
  const scheduled = new Map<string, { name: string; input: Record<string, unknown> }>();
  const updates = new Map<string, AuditEntry>();
  const approvals = new Map<string, ApprovalSeen>();
  const milestoneCents = new Map<string, number>();
  /** The caller's key behind each move, to name it on the request that carries it out. */
  const keyOfMove = new Map<string, string>();
  const unplacedAdds: string[] = [];
  const expiredMoves = new Set<string>();
  let hireAwaitingContract: AuditEntry | undefined;
  let run = 0;
  let at = '';

  const push = (draft: Draft): AuditEntry => {
    const entry = { seq: entries.length + 1, at, run, ...strip(draft) } as AuditEntry;
    entries.push(entry);
    return entry;
  };
  const learnMilestones = (milestones: readonly MilestoneSnapshot[]) => {
    for (const m of milestones) if (m.amountCents !== null) milestoneCents.set(m.id, m.amountCents);
  };
  const learnContract = (contract: ContractSnapshot) => {
    learnMilestones(contract.milestones);
    const first = contract.milestones[0];
    if (!hireAwaitingContract || !first || first.amountCents === null) return;
    // The human may edit the hire's milestone before confirming: the contract shows what was created.
    const asked = hireAwaitingContract.amountUsd;
    const created = centsToUsd(first.amountCents);
    hireAwaitingContract.milestoneId = first.id;
    if (asked !== undefined && asked !== created) {
      hireAwaitingContract.amountBeforeEditUsd = asked;
      hireAwaitingContract.amountUsd = created;
      hireAwaitingContract.feesUsd = centsToUsd(
        marketplaceFeeCents(first.amountCents) + INITIATION_FEE_CENTS,
      );
      hireAwaitingContract.detail = `the human edited the milestone: $${asked} → $${created}`;
    }
    hireAwaitingContract = undefined;
  };

  for (const history of runs) {
    run += 1;
    for (const event of history.events ?? []) {
      at = new Date(optionalTsToMs(event.eventTime) ?? 0).toISOString();
      const started = event.workflowExecutionStartedEventAttributes;
      if (started && run === 1) {
        const input = first(started.input) as Record<string, unknown> | undefined;
        const milestone = input?.firstMilestone as { amountUsd?: number } | undefined;
        push({
          kind: 'intent',
          operation: 'start',
          door: doorOf(input),
          idempotencyKey: 'hire',
          amountUsd: milestone?.amountUsd,
          detail: `engagement for proposal ${String(input?.proposalId)}`,
          outcome: 'started',
        });
      }
      const accepted = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
      if (accepted) {
        const updateId = accepted.meta?.updateId ?? '';
        const args = (first(accepted.input?.args) ?? {}) as Record<string, unknown>;
        const key = intentKeyOfUpdateId(updateId);
        const operation = accepted.input?.name ?? 'update';
        noteMoveKey(operation, args, key);
        updates.set(updateId, push(intentDraft(operation, key, args, 'update')));
      }
      const completed = event.workflowExecutionUpdateCompletedEventAttributes;
      if (completed) {
        const entry = updates.get(completed.meta?.updateId ?? '');
        if (entry) {
          const failure = completed.outcome?.failure;
          entry.outcome = failure
            ? `refused: ${failure.applicationFailureInfo?.type ?? 'failure'}: ${failure.message ?? ''}`
            : 'answered';
        }
      }
      const signalled = event.workflowExecutionSignaledEventAttributes;
      if (signalled?.signalName && INTENT_SIGNALS.test(signalled.signalName)) {
        const args = (first(signalled.input) ?? {}) as Record<string, unknown>;
        const key = typeof args.idempotencyKey === 'string' ? args.idempotencyKey : undefined;
        noteMoveKey(signalled.signalName.replace(/Signal$/, ''), args, key);
        push({ ...intentDraft(signalled.signalName, key, args, 'signal'), outcome: 'received' });
      }
      const activity = event.activityTaskScheduledEventAttributes;
      if (activity) {
        scheduled.set(String(event.eventId), {
          name: activity.activityType?.name ?? '',
          input: (first(activity.input) ?? {}) as Record<string, unknown>,
        });
      }
      const done = event.activityTaskCompletedEventAttributes;
      const failed = event.activityTaskFailedEventAttributes;
      const call = scheduled.get(String((done ?? failed)?.scheduledEventId));
      if (call && done) onActivityResult(call.name, call.input, first(done.result));
      if (call && failed && REQUESTS[call.name]) {
        push({
          ...requestDraft(call.name, call.input),
          outcome: `failed: ${failed.failure?.applicationFailureInfo?.type ?? ''} ${failed.failure?.message ?? ''}`,
        });
      }
      const continued = event.workflowExecutionContinuedAsNewEventAttributes;
      if (continued)
        push({ kind: 'continue_as_new', detail: `new run ${continued.newExecutionRunId ?? ''}` });
    }
  }
  return entries;

  function noteMoveKey(operation: string, args: Record<string, unknown>, key: string | undefined): void {
    if (!key) return;
    const milestoneId = typeof args.milestoneId === 'string' ? args.milestoneId : undefined;
    if (/^fund/.test(operation) && milestoneId) keyOfMove.set(`fund:${milestoneId}`, key);
    if (/^release/.test(operation) && milestoneId) keyOfMove.set(`release:${milestoneId}`, key);
    if (/^endContract/.test(operation)) keyOfMove.set('end', key);
    if (/^addMilestone/.test(operation)) unplacedAdds.push(key);
    // A retry carries the parked move out again: its request is the retry's.
    const retried = typeof args.approvalId === 'string' ? approvals.get(args.approvalId) : undefined;
    const retriedMilestone = milestoneId ?? retried?.milestoneId;
    if (/^retry/.test(operation) && retriedMilestone) {
      const move = retried?.type === 'milestone_approve' ? 'release' : 'fund';
      keyOfMove.set(`${move}:${retriedMilestone}`, key);
    }
  }

  function requestDraft(name: string, input: Record<string, unknown>): Draft {
    const operation = REQUESTS[name] ?? name;
    const milestoneId = typeof input.milestoneId === 'string' ? input.milestoneId : undefined;
    const cents =
      name === 'requestHire'
        ? (input.milestone as { amountCents?: number } | undefined)?.amountCents
        : name === 'createMilestone'
          ? (input.amountCents as number | undefined)
          : milestoneId
            ? milestoneCents.get(milestoneId)
            : undefined;
    const fees =
      cents === undefined
        ? undefined
        : name === 'requestHire'
          ? marketplaceFeeCents(cents) + INITIATION_FEE_CENTS
          : name === 'requestFunding'
            ? marketplaceFeeCents(cents)
            : undefined;
    const key =
      name === 'requestHire'
        ? 'hire'
        : name === 'requestContractEnd'
          ? keyOfMove.get('end')
          : milestoneId
            ? keyOfMove.get(`${operation}:${milestoneId}`)
            : undefined;
    const again = expiredMoves.has(`${operation}:${milestoneId ?? ''}`);
    return {
      kind: again ? 're_request' : 'opentrain_request',
      operation,
      idempotencyKey: key,
      milestoneId,
      amountUsd: cents === undefined ? undefined : centsToUsd(cents),
      feesUsd: fees === undefined ? undefined : centsToUsd(fees),
      decidedBy: 'engagement',
    };
  }

  function onActivityResult(name: string, input: Record<string, unknown>, result: unknown): void {
    const value = (result ?? {}) as Record<string, unknown>;
    if (REQUESTS[name]) {
      const draft = requestDraft(name, input);
      if (name === 'createMilestone') {
        const created = value as unknown as MilestoneSnapshot;
        learnMilestones([created]);
        const key = unplacedAdds.shift();
        if (key) keyOfMove.set(`fund:${created.id}`, key);
        push({ ...draft, idempotencyKey: key, milestoneId: created.id, outcome: `created ${created.id}` });
        return;
      }
      const approval = (value.kind === undefined ? value : value.approval) as ApprovalSnapshot | undefined;
      if (approval?.id) {
        approvals.set(approval.id, {
          type: approval.type,
          milestoneId: approval.milestoneId ?? draft.milestoneId,
          amountCents: draft.amountUsd === undefined ? undefined : Math.round(draft.amountUsd * 100),
          feesCents: draft.feesUsd === undefined ? undefined : Math.round(draft.feesUsd * 100),
          key: draft.idempotencyKey,
          resolved: approval.status !== 'pending',
        });
        expiredMoves.delete(`${draft.operation}:${draft.milestoneId ?? ''}`);
      }
      if (value.kind === 'already_hired') learnContract(value.contract as ContractSnapshot);
      push({
        ...draft,
        approvalId: approval?.id,
        approvalType: approval?.type,
        outcome: approval?.id ? `approval ${approval.id} requested` : String(value.kind ?? 'done'),
      });
      return;
    }
    if (name === 'fetchContract') learnContract(value as unknown as ContractSnapshot);
    if (name === 'fetchApproval') onApprovalRead(value as unknown as ApprovalSnapshot);
    if (name === 'notifyHuman') onNotification(input);
  }

  function onApprovalRead(approval: ApprovalSnapshot): void {
    const seen = approvals.get(approval.id);
    if (!seen || seen.resolved || approval.status === 'pending') return;
    seen.resolved = true;
    const expired = approval.status === 'expired';
    const operation = { proposal_hire: 'hire', milestone_fund: 'fund', milestone_approve: 'release' }[
      seen.type
    ];
    if (expired) expiredMoves.add(`${operation ?? 'end'}:${seen.milestoneId ?? ''}`);
    const entry = push({
      kind: expired ? 'expiry' : 'approval',
      operation: operation ?? 'end',
      idempotencyKey: seen.key,
      approvalId: approval.id,
      approvalType: seen.type,
      milestoneId: seen.milestoneId,
      amountUsd: seen.amountCents === undefined ? undefined : centsToUsd(seen.amountCents),
      feesUsd: seen.feesCents === undefined ? undefined : centsToUsd(seen.feesCents),
      outcome: approval.status,
      decidedBy: expired ? 'nobody (expired)' : 'human',
    });
    if (approval.status === 'confirmed' && seen.type === 'proposal_hire') hireAwaitingContract = entry;
    if (approval.status === 'declined')
      push({
        kind: 'park',
        operation: entry.operation,
        approvalId: approval.id,
        milestoneId: seen.milestoneId,
        outcome: 'declined',
        detail: 'waits for retry',
      });
  }

  function onNotification(input: Record<string, unknown>): void {
    const kind = String(input.kind ?? '');
    const message = String(input.message ?? '');
    const approvalId = typeof input.approvalId === 'string' ? input.approvalId : undefined;
    if (kind === 'approval_requested') return; // the request itself is on record
    if (kind === 'approval_reminder') push({ kind: 'reminder', approvalId, detail: message });
    // A declined approval is parked on record already; an expiry past the limit is parked here.
    else if (kind === 'parked') {
      if (/expired/.test(message)) push({ kind: 'park', outcome: 'expired', detail: message });
    } else push({ kind: 'notice', operation: kind, detail: message });
  }
}

function intentDraft(
  operation: string,
  key: string | undefined,
  args: Record<string, unknown>,
  via: 'update' | 'signal',
): Draft {
  const { door: _door, idempotencyKey: _key, ...rest } = args;
  const amount = typeof rest.amountUsd === 'number' ? rest.amountUsd : undefined;
  return {
    kind: 'intent',
    operation,
    door: doorOf(args),
    idempotencyKey: key,
    milestoneId: typeof rest.milestoneId === 'string' ? rest.milestoneId : undefined,
    approvalId: typeof rest.approvalId === 'string' ? rest.approvalId : undefined,
    amountUsd: amount,
    decidedBy: 'caller',
    detail: `${via}${Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : ''}`,
  };
}

function first(payloads: Payloads): unknown {
  const payload = payloads?.payloads?.[0];
  return payload
    ? defaultPayloadConverter.fromPayload(
        payload as Parameters<typeof defaultPayloadConverter.fromPayload>[0],
      )
    : undefined;
}

/** Leaves out the fields with nothing in them, so JSON and CSV stay readable. */
function strip(draft: Draft): Draft {
  return Object.fromEntries(Object.entries(draft).filter(([, v]) => v !== undefined)) as Draft;
}
