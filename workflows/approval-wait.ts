import { condition, getExternalWorkflowHandle, log, patched, workflowInfo } from '@temporalio/workflow';
import { UPDATES_FEED_WORKFLOW_ID } from '../domain/ids';
import { approvalWaitStep, formatDuration, nextPollIntervalMs } from '../domain/engagement-approval-schedule';
import type { ApprovalSnapshot, PendingApprovalRecord } from '../domain/engagement-model';
import type { EngagementPolicy } from '../domain/inputs';
import { isAccessFailure } from '../domain/money-move';
import { notifyActivities, pollActivities } from './engagement-activities';
import { failureInfo, rethrowUnlessActivityFailure, type FailureInfo } from './failures';
import { approvalAwaitedSignal } from './updates-feed-messages';

/** Marks runs that tell the updates feed which approval they wait on (histories recorded before did not). */
const FEED_HINT_PATCH = 'approval-feed-hint';
/** Marks runs whose fallback poll starts at the policy's maximum once the feed holds the hint (before: minimum). */
const FEED_TRACKS_PATCH = 'approval-poll-slow-while-feed-tracks';

/** What the wait needs from the engagement: its signal inbox, its bookkeeping and its activity tracking. */
export interface ApprovalWaitHooks {
  engagementId: string;
  policy: EngagementPolicy;
  /** The status an `approvalResolved` signal delivered for this approval, if one did. */
  signalled(approvalId: string): string | undefined;
  consumeSignal(approvalId: string): void;
  markAnnounced(approvalId: string): void;
  markReminderSent(approvalId: string, offsetsMs: number[]): void;
  setPollInterval(approvalId: string, intervalMs: number): void;
  /** What is being approved, in words ("funding of milestone m_2 ($120.00)"). */
  describe(pending: PendingApprovalRecord): string;
  /** Runs an activity while counting it as in flight (continue-as-new waits until none is). */
  track<T>(key: string, run: () => Promise<T>): Promise<T>;
  /**
   * True when the wait should stop: the run continues-as-new (the approval stays pending in state), or the
   * approval was closed by someone else (the contract ended).
   */
  shouldYield?: (pending: PendingApprovalRecord) => boolean;
  /** The token may not read the approval (401/403/404): resolves once a human says access is fixed. */
  accessDenied(failure: FailureInfo): Promise<void>;
}

export type ApprovalWaitResult = { kind: 'resolved'; approval: ApprovalSnapshot } | { kind: 'yielded' };

/**
 * The one routine that waits for a human co-sign (hire, fund, release, end). It ends when the approval is no
 * longer pending, learnt from the `approvalResolved` signal (event ingestion) or from a fallback poll of
 * GET /approvals/{id} whose interval doubles from the policy's minimum to its maximum. Expiry is lazy on
 * OpenTrain's side, so the approval is always read once `expiresAt` has passed. The human is told when the
 * approval is created and at each reminder offset before expiry, always with the approvalUrl and the time left.
 */
export async function awaitApproval(
  pending: PendingApprovalRecord,
  hooks: ApprovalWaitHooks,
): Promise<ApprovalWaitResult> {
  const { policy } = hooks;
  const id = pending.approvalId;
  const expiresAtMs = Date.parse(pending.expiresAt);
  const window = { createdAtMs: Date.parse(pending.createdAt), expiresAtMs };

  let pollIntervalMs = pending.pollIntervalMs ?? policy.pollIntervalMinMs;
  if (!pending.announced) {
    const hinted = hintTheFeed(pending);
    const told = tell(hooks, pending, 'approval_requested', 'Approval needed');
    if (hinted && patched(FEED_TRACKS_PATCH)) {
      // The feed is the ledger: once it holds the hint it routes the decision, so the engagement's own read is
      // only a safety net for a feed that stops (and N parked engagements cost the feed's calls, not N polls).
      const [tracked] = await Promise.all([hinted, told]);
      if (tracked) {
        pollIntervalMs = policy.pollIntervalMaxMs;
        hooks.setPollInterval(id, pollIntervalMs);
      }
    } else {
      await told;
    }
    hooks.markAnnounced(id);
  }

  let nextPollAtMs = Date.now() + pollIntervalMs;
  let expiryReadDue = true;
  let notBeforeMs = 0;

  for (;;) {
    if (hooks.shouldYield?.(pending)) return { kind: 'yielded' };
    const step = approvalWaitStep(
      window,
      policy,
      {
        nextPollAtMs,
        expiryReadDue,
        remindersSentMs: pending.remindersSentMs,
        signalled: hooks.signalled(id) !== undefined,
      },
      Date.now(),
      notBeforeMs,
    );

    if (step.kind === 'remind') {
      hooks.markReminderSent(id, step.offsetsMs);
      await tell(hooks, pending, 'approval_reminder', 'Reminder: approval still needed');
      continue;
    }
    if (step.kind === 'read') {
      hooks.consumeSignal(id);
      if (step.expiryRead) expiryReadDue = false;
      if (step.pollDue) {
        pollIntervalMs = nextPollIntervalMs(pollIntervalMs, policy);
        hooks.setPollInterval(id, pollIntervalMs);
      }
      const approval = await read(hooks, id);
      if (approval && approval.status !== 'pending') return { kind: 'resolved', approval };
      nextPollAtMs = Date.now() + pollIntervalMs;
      continue;
    }
    const woken = await condition(
      () => hooks.signalled(id) !== undefined || Boolean(hooks.shouldYield?.(pending)),
      step.inMs,
    );
    if (!woken) notBeforeMs = step.wakeAtMs;
  }
}

/**
 * Tells the updates feed this run waits on the approval, so it polls fast and routes the decision without a read.
 * True once the feed holds the hint; without a running feed (tests, a feed an operator stopped) the signal fails
 * and the engagement polls the approval on the policy's backoff from its minimum.
 */
function hintTheFeed(pending: PendingApprovalRecord): Promise<boolean> | undefined {
  if (!patched(FEED_HINT_PATCH)) return undefined;
  const hint = {
    approvalId: pending.approvalId,
    engagementId: workflowInfo().workflowId,
    requestedAt: pending.createdAt,
  };
  return getExternalWorkflowHandle(UPDATES_FEED_WORKFLOW_ID)
    .signal(approvalAwaitedSignal, hint)
    .then(
      () => true,
      (err: unknown) => {
        log.info('updates feed not told about the approval; the engagement polls it itself', {
          approvalId: pending.approvalId,
          error: err instanceof Error ? err.message : String(err),
        });
        return false;
      },
    );
}

async function read(hooks: ApprovalWaitHooks, approvalId: string): Promise<ApprovalSnapshot | undefined> {
  try {
    return await hooks.track(`poll:${approvalId}`, () => pollActivities.fetchApproval({ approvalId }));
  } catch (err) {
    rethrowUnlessActivityFailure(err);
    const info = failureInfo(err);
    // Revoked token, lost scope, unknown id: polling again changes nothing until a human fixes access.
    if (isAccessFailure(info)) {
      await hooks.accessDenied(info);
      return undefined;
    }
    // A transient failure is followed by the next poll; the approval is still tracked in state.
    log.warn('approval read failed; polling again later', {
      approvalId,
      error: err.cause?.message ?? err.message,
    });
    return undefined;
  }
}

async function tell(
  hooks: ApprovalWaitHooks,
  pending: PendingApprovalRecord,
  kind: string,
  headline: string,
) {
  const timeLeftMs = Math.max(0, Date.parse(pending.expiresAt) - Date.now());
  const timeLeft = formatDuration(timeLeftMs);
  try {
    await hooks.track(`notify:${pending.approvalId}`, () =>
      notifyActivities.notifyHuman({
        engagementId: hooks.engagementId,
        kind,
        message: `${headline}: ${hooks.describe(pending)}. Open ${pending.approvalUrl} — ${timeLeft} left.`,
        approvalId: pending.approvalId,
        approvalUrl: pending.approvalUrl,
        expiresAt: pending.expiresAt,
        timeLeft,
        timeLeftMs,
      }),
    );
  } catch (err) {
    rethrowUnlessActivityFailure(err);
    // Telling the human is best effort: the approval stays visible in the `state` query either way.
    log.warn('could not notify the human', {
      approvalId: pending.approvalId,
      error: err.cause?.message ?? err.message,
    });
  }
}
