import { log } from '@temporalio/activity';
import type { Blocker } from '../domain/engagement-view';
import { callOpenTrain } from './errors';
import type { Capabilities, Me } from '../opentrain';
import type { EngagementOpenTrain } from './deps';

export interface PreconditionReport {
  /** Every requirement known to fail (docs/opentrain-api.md#preconditions), each with what to do. Empty: hire. */
  blockers: Blocker[];
  /** Credits available, when the credits feature lets us read them. */
  creditsAvailableCents?: number;
  /** How far the credits fall short of the hire charge (0 when they cover it). */
  creditShortfallCents?: number;
  /** Checks that could not be made, for the engagement's history. */
  notes: string[];
}

const REQUIRED_SCOPES = ['proposals:write', 'payments:write'];
/** The probe's flags of `public_api_hiring` and `public_api_payments_write` (docs/opentrain-api.md#preconditions). */
const REQUIRED_CAPABILITIES: Record<string, string> = {
  hiring: 'public_api_hiring',
  paymentsWrite: 'public_api_payments_write',
};
const DEFAULT_CLAIM_URL = 'https://app.opentrain.ai/claim';

/**
 * All five requirements (docs/opentrain-api.md#preconditions) in one go: claimed account, `proposals:write`,
 * `payments:write`, the hiring and payments features, and a way to pay.
 *
 * [GAP] "Payment method on file" is not exposed by the API: only the credit balance is checkable. A shortfall
 * is therefore reported (`creditShortfallCents`) but does not block — the human may have a card. If the hire
 * then answers 409 `payment_method_required`, the workflow blocks with the billingUrl and this shortfall.
 * [GAP] Claim status: `account.claimed` when OpenTrain sends it; unknown means "not a blocker" (the hire's 403
 * `account_claim_required` would then block with its claimUrl).
 */
export function createPreconditionActivities(openTrain: EngagementOpenTrain) {
  return {
    async checkPreconditions(input: { hireChargeCents: number }): Promise<PreconditionReport> {
      const [me, capabilities, credits] = await Promise.allSettled([
        callOpenTrain((o) => openTrain.getMe(o)),
        callOpenTrain((o) => openTrain.getCapabilities(o)),
        callOpenTrain((o) => openTrain.getCredits(o)),
      ]);
      // Without /auth/me nothing can be judged: let the activity retry (or fail) on that error.
      if (me.status === 'rejected') throw me.reason;
      const blockers: Blocker[] = [];
      const notes: string[] = [];

      if (me.value.account.claimed === false) {
        blockers.push({
          kind: 'account_claim_required',
          message: 'A human must claim this agent account before it can hire.',
          url: me.value.account.claimUrl ?? DEFAULT_CLAIM_URL,
        });
      }
      const missingScopes = REQUIRED_SCOPES.filter((s) => !me.value.token.scopes.includes(s));
      if (missingScopes.length) {
        blockers.push({
          kind: 'missing_scopes',
          message: `The API token lacks ${missingScopes.join(', ')}; mint a token with these scopes in Settings → API keys.`,
        });
      }

      if (capabilities.status === 'fulfilled') {
        const missing = Object.entries(REQUIRED_CAPABILITIES)
          .filter(([capability]) => capabilities.value.capabilities[capability] !== true)
          .map(([, feature]) => feature);
        if (missing.length) {
          blockers.push({
            kind: 'missing_features',
            message: `Features ${missing.join(', ')} are not enabled for this account; ask OpenTrain to enable them.`,
          });
        }
      } else {
        notes.push(`capabilities probe unavailable: ${errorMessage(capabilities.reason)}`);
      }

      notes.push(
        ...messagingNotes(me.value, capabilities.status === 'fulfilled' ? capabilities.value : undefined),
      );
      const report: PreconditionReport = { blockers, notes };
      if (credits.status === 'fulfilled') {
        report.creditsAvailableCents = credits.value.availableCents;
        report.creditShortfallCents = Math.max(0, input.hireChargeCents - credits.value.availableCents);
      } else {
        notes.push(`credit balance unavailable: ${errorMessage(credits.reason)}`);
      }
      log.info('preconditions checked', { blockers: blockers.map((b) => b.kind), notes });
      return report;
    },
  };
}

/**
 * Messaging the trainer (`POST /messages`) needs `messages:write`, the `public_api_messaging_writes` feature and a
 * claimed account. None of them blocks hiring, so each missing one is a note: said up front, not a blocker.
 */
function messagingNotes(me: Me, capabilities: Capabilities | undefined): string[] {
  const notes: string[] = [];
  if (!me.token.scopes.includes('messages:write'))
    notes.push(
      'messaging will not work: the token lacks messages:write (mint one with it in Settings → API keys)',
    );
  if (capabilities?.capabilities.messagingWrites === false)
    notes.push('messaging will not work: public_api_messaging_writes is not enabled for this account');
  if (me.account.claimed === false)
    notes.push('messaging will not work until a human claims the agent account');
  return notes;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
