import { condition, patched } from '@temporalio/workflow';
import type { ApprovalSnapshot, PendingApprovalRecord } from '../domain/engagement-model';
import type { Blocker } from '../domain/engagement-view';
import { formatCents, hireChargeCents } from '../domain/money';
import { isAccessFailure } from '../domain/money-move';
import { awaitApproval } from './approval-wait';
import { openTrainActivities } from './engagement-activities';
import type { EngagementRuntime } from './engagement-runtime';
import { failureInfo, rethrowUnlessActivityFailure, type FailureInfo } from './failures';

/** Versioning: runs recorded before a declined hire was parked for `retry` (it failed the engagement). */
const HIRE_DECLINE_PARKS_PATCH = 'hire-decline-parks';

/** A confirmed hire's result names the contract; the approval's own field is the fallback. */
function hiredContractId(approval: ApprovalSnapshot): string | undefined {
  const fromResult = approval.result?.contractId;
  return typeof fromResult === 'string' ? fromResult : (approval.contractId ?? undefined);
}

/**
 * One step of the way to a contract: the main function loops on it until the phase is `active` or terminal.
 * The hire is the engagement's own intent (key `hire`): semantically idempotent on OpenTrain (the same terms
 * return the same pending approval), and a 409 `already_accepted` proves it happened.
 */
export async function hireStep(rt: EngagementRuntime): Promise<void> {
  const m = rt.machine;
  if (m.hiredContractId) return adoptHiredContract(rt, m.hiredContractId);
  const pendingHire = m.pendingHire();
  if (pendingHire) return waitForHire(rt, pendingHire);
  if (m.hasParkedHire()) {
    await condition(() => !m.hasParkedHire() || rt.shouldContinueAsNew());
    return;
  }
  if (m.phase === 'blocked') return waitWhileBlocked(rt);
  return checkAndRequestHire(rt);
}

async function waitWhileBlocked(rt: EngagementRuntime): Promise<void> {
  const m = rt.machine;
  const notFit = m.isBlockedOn('not_fit_confirmation_required');
  const humanOnly = notFit || m.isBlockedOn('not_fit_override_refused');
  const unblocked = () => m.recheckRequested || (notFit && m.confirmNotFit) || rt.shouldContinueAsNew();
  // "Not a fit" only a human can lift; any other blocker is also rechecked on the policy's interval.
  if (humanOnly) await condition(unblocked);
  else await condition(unblocked, m.policy.preconditionRecheckMs);
  if (!rt.shouldContinueAsNew() || m.recheckRequested) m.startPreconditionCheck(rt.now());
}

async function checkAndRequestHire(rt: EngagementRuntime): Promise<void> {
  const m = rt.machine;
  m.startPreconditionCheck(rt.now());
  const chargeCents = hireChargeCents(m.firstMilestone.amountCents);
  let creditShortfallCents: number | undefined;
  try {
    const report = await rt.track('read:preconditions', () =>
      openTrainActivities.checkPreconditions({ hireChargeCents: chargeCents }),
    );
    for (const note of report.notes) m.record(rt.now(), 'precondition_note', note);
    if (report.blockers.length) return blockAndTell(rt, report.blockers);
    creditShortfallCents = report.creditShortfallCents;
  } catch (err) {
    rethrowUnlessActivityFailure(err);
    return blockAndTell(rt, [unreachable(failureInfo(err))]);
  }

  for (;;) {
    const override = m.hireOverride();
    try {
      const result = await rt.track('hire', () =>
        openTrainActivities.requestHire({
          proposalId: m.snapshot.proposalId,
          milestone: m.firstMilestone,
          confirmNotFitOverride: override,
          jobId: m.jobId,
        }),
      );
      if (result.kind === 'already_hired') {
        m.record(rt.now(), 'reconciled', 'the proposal was already hired; adopted its contract');
        m.hired(rt.now(), result.contract);
      } else {
        m.hireRequested(rt.now(), result.approval);
      }
      return;
    } catch (err) {
      rethrowUnlessActivityFailure(err);
      const info = failureInfo(err);
      // At most one attempt with the override: OpenTrain asking again means it will not take it.
      if (info.type === 'not_fit_confirmation_required' && m.notFitConfirmationRequired(rt.now(), override))
        continue;
      return blockAndTell(rt, [hireBlocker(rt, info, chargeCents, creditShortfallCents)]);
    }
  }
}

function unreachable(info: FailureInfo): Blocker {
  return isAccessFailure(info)
    ? {
        kind: 'opentrain_access',
        message: `OpenTrain refused ${info.endpoint ?? 'a request'}: ${info.message}. Fix the token's access, then send recheckPreconditions.`,
      }
    : { kind: 'opentrain_unavailable', message: info.message };
}

function hireBlocker(
  rt: EngagementRuntime,
  info: FailureInfo,
  chargeCents: number,
  creditShortfallCents: number | undefined,
): Blocker {
  const url = (key: string) => {
    const value = info.apiDetails[key];
    return typeof value === 'string' ? value : undefined;
  };
  switch (info.type) {
    case 'payment_method_required':
      return {
        kind: 'payment_method_required',
        message:
          `No payment method on file and the credits do not cover the hire charge of ${formatCents(chargeCents)}` +
          (creditShortfallCents ? ` (short by ${formatCents(creditShortfallCents)})` : '') +
          '. Add a card or top up, then send recheckPreconditions.',
        url: url('billingUrl'),
      };
    case 'not_fit_confirmation_required':
      return rt.machine.snapshot.notFitOverrideRefused
        ? {
            kind: 'not_fit_override_refused',
            message:
              'OpenTrain still asks for the "Not a fit" confirmation although it was sent; check the proposal in the app, then send recheckPreconditions.',
          }
        : {
            kind: 'not_fit_confirmation_required',
            message: 'The proposal is marked "Not a fit". Send confirmNotFit to hire anyway.',
          };
    case 'account_claim_required':
      return { kind: 'account_claim_required', message: info.message, url: url('claimUrl') };
    default:
      return isAccessFailure(info)
        ? unreachable(info)
        : { kind: info.type ?? 'hire_failed', message: info.message };
  }
}

async function blockAndTell(rt: EngagementRuntime, blockers: Blocker[]): Promise<void> {
  if (!rt.machine.block(rt.now(), blockers)) return;
  const first = blockers[0];
  await rt.tell({
    kind: 'blocked',
    message: `Engagement blocked: ${blockers.map((b) => (b.url ? `${b.message} (${b.url})` : b.message)).join(' ')}`,
    approvalUrl: first?.url,
  });
}

async function waitForHire(rt: EngagementRuntime, pending: PendingApprovalRecord): Promise<void> {
  const m = rt.machine;
  const outcome = await awaitApproval(pending, { ...rt.hooks, shouldYield: () => rt.shouldContinueAsNew() });
  if (outcome.kind === 'yielded') return;
  const approval = outcome.approval;
  m.approvalClosed(rt.now(), approval);
  if (approval.status === 'confirmed') {
    const contractId = hiredContractId(approval);
    if (!contractId)
      return m.fail(rt.now(), `hire approval ${approval.id} was confirmed without a contractId`);
    m.hireConfirmed(contractId);
    await adoptHiredContract(rt, contractId);
  } else if (approval.status === 'declined') {
    if (!patched(HIRE_DECLINE_PARKS_PATCH))
      return m.fail(rt.now(), `the hire was declined by the human (approval ${approval.id})`);
    m.hireDeclined(rt.now(), approval.id);
    await rt.tell({
      kind: 'parked',
      message: `The human declined the hire (approval ${approval.id}); send retry to ask again.`,
    });
  } else if (!m.hireExpired(rt.now(), approval.id)) {
    // [GAP] any other terminal status (e.g. a superseded approval) is handled like an expiry.
    await rt.tell({
      kind: 'parked',
      message: `The hire approval expired ${pending.attempt} times; send retry.`,
    });
  }
}

/** Read the contract a confirmed hire created; if OpenTrain stays unreachable, block and read again later. */
async function adoptHiredContract(rt: EngagementRuntime, contractId: string): Promise<void> {
  const m = rt.machine;
  if (m.phase === 'blocked') {
    await condition(() => m.recheckRequested || rt.shouldContinueAsNew(), m.policy.preconditionRecheckMs);
    if (rt.shouldContinueAsNew() && !m.recheckRequested) return;
    m.clearRecheck();
  }
  await rt.readContract(
    contractId,
    (contract) => m.hired(rt.now(), contract),
    (reason, info) =>
      blockAndTell(rt, [
        {
          kind: isAccessFailure(info) ? 'opentrain_access' : 'opentrain_unavailable',
          message: `The hire is confirmed but contract ${contractId} could not be read yet: ${reason}`,
        },
      ]),
  );
}
