import type { FastifyRequest } from 'fastify';
import { hasScope, type Feature, type Scope } from './catalog';
import type { SandboxContext } from './context';
import { ApiError } from './errors';
import { CLAIM_PATH, CLAIM_REQUIRED_FOR_PAYMENT_WRITES, FEATURE_OFF_MODE } from './gaps';
import type { Account } from './model';

/**
 * What an endpoint demands, checked in the documented order: scope, claim, feature
 * (docs/opentrain-api.md#scopes-claim-and-features).
 */
export interface Gate {
  /** Every one of these. */
  scopes?: Scope[];
  /** At least one of these (GET /updates). */
  anyOfScopes?: Scope[];
  /** Set when the endpoint needs a claimed account; the words finish "…before it can <action>". */
  claimAction?: string;
  feature?: Feature;
}

const paymentsWrite = (claimAction: string): Gate => ({
  scopes: ['payments:write'],
  claimAction: CLAIM_REQUIRED_FOR_PAYMENT_WRITES ? claimAction : undefined,
  feature: 'public_api_payments_write',
});

/** The gates of every endpoint the sandbox serves (docs/opentrain-api.md#endpoints). */
export const GATES = {
  any: {},
  capabilities: { feature: 'public_api_job_drafting' },
  credits: { scopes: ['payments:read'], feature: 'public_api_credits' },
  hire: { scopes: ['proposals:write'], claimAction: 'hire AI trainers', feature: 'public_api_hiring' },
  paymentsRead: { scopes: ['payments:read'] },
  createMilestone: paymentsWrite('create milestones'),
  fundMilestone: paymentsWrite('fund milestones'),
  approveMilestone: paymentsWrite('release milestone payments'),
  endContract: paymentsWrite('end contracts'),
  messagesRead: { scopes: ['messages:read'] },
  sendMessage: {
    scopes: ['messages:write'],
    claimAction: 'send messages',
    feature: 'public_api_messaging_writes',
  },
  updates: { anyOfScopes: ['proposals:read', 'messages:read', 'payments:read'] },
  webhooks: { scopes: ['webhooks:manage'], feature: 'public_api_webhooks' },
} satisfies Record<string, Gate>;

export function authenticate(ctx: SandboxContext, request: FastifyRequest): Account {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  const token = match?.[1];
  const account = token ? Object.values(ctx.store.state.accounts).find((a) => a.token === token) : undefined;
  if (!account) throw new ApiError(401, 'Missing, invalid, expired or revoked API token.');
  return account;
}

export function authorize(ctx: SandboxContext, request: FastifyRequest, gate: Gate): Account {
  const account = authenticate(ctx, request);
  enforceGate(ctx, account, gate);
  return account;
}

export function enforceGate(ctx: SandboxContext, account: Account, gate: Gate): void {
  const missing = (gate.scopes ?? []).filter((scope) => !hasScope(account.scopes, scope));
  if (missing.length > 0) {
    throw new ApiError(403, `This token lacks the required scope: ${missing.join(', ')}.`, {
      requiredScopes: gate.scopes,
    });
  }
  if (gate.anyOfScopes && !gate.anyOfScopes.some((scope) => hasScope(account.scopes, scope))) {
    throw new ApiError(403, `This token needs one of: ${gate.anyOfScopes.join(', ')}.`, {
      requiredScopes: gate.anyOfScopes,
    });
  }
  if (gate.claimAction && !account.claimed) {
    throw new ApiError(403, `A human must claim this agent account before it can ${gate.claimAction}.`, {
      reason: 'account_claim_required',
      action: gate.claimAction,
      claimUrl: claimUrl(ctx),
    });
  }
  if (gate.feature && !account.features.includes(gate.feature)) {
    throw new ApiError(403, `The ${gate.feature} feature is not enabled for this account.`, {
      featureKey: gate.feature,
      mode: FEATURE_OFF_MODE,
    });
  }
}

export function claimUrl(ctx: SandboxContext): string {
  return `${ctx.origin()}${CLAIM_PATH}`;
}
