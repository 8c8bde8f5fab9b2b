import type { FastifyInstance } from 'fastify';
import { authorize, claimUrl, GATES } from '../auth';
import type { Feature } from '../catalog';
import type { SandboxContext } from '../context';
import { ledgerEntryToWire } from '../wire';

/** Which feature flag each capabilities probe entry reflects ([INFERENCE] §2.2). */
const CAPABILITY_FEATURES: Record<string, Feature | null> = {
  draftImport: 'public_api_job_drafting',
  draftCreate: 'public_api_job_drafting',
  draftUpdate: 'public_api_job_drafting',
  draftUrlRead: 'public_api_job_drafting',
  publish: 'public_api_job_publishing',
  hiring: 'public_api_hiring',
  messagingWrites: 'public_api_messaging_writes',
  team: null,
  paymentsWrite: 'public_api_payments_write',
  credits: 'public_api_credits',
  webhooks: 'public_api_webhooks',
};

/** GET /auth/me, GET /job-drafts/capabilities, GET /credits. */
export function registerAccountRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get('/auth/me', async (request) => {
    const account = authorize(ctx, request, GATES.any);
    return {
      actor: {
        userId: account.userId,
        email: `owner+${account.id}@sandbox.opentrain.local`,
        firstName: 'Sandy',
        lastName: 'Owner',
        fullName: 'Sandy Owner',
        userType: 'EMPLOYER',
      },
      token: { id: account.tokenId, label: 'sandbox', scopes: account.scopes, ownerOrganizationId: null },
      account: {
        kind: 'employer_organization',
        organizationId: account.organizationId,
        ownerUserId: account.userId,
        memberRole: 'OWNER',
        // [GAP] §2.1: the docs say /auth/me tells whether the account is claimed but show no field for it.
        claimed: account.claimed,
        ...(account.claimed ? {} : { claimUrl: claimUrl(ctx) }),
      },
    };
  });

  app.get('/job-drafts/capabilities', async (request) => {
    const account = authorize(ctx, request, GATES.capabilities);
    const capabilities = Object.fromEntries(
      Object.entries(CAPABILITY_FEATURES).map(([name, feature]) => [
        name,
        feature === null || account.features.includes(feature),
      ]),
    );
    return {
      featureKey: 'public_api_job_drafting',
      namespace: 'job-drafts',
      rolloutMode: 'ALL',
      actorIsAdmin: false,
      capabilities,
      draft: {
        importFormats: ['text', 'opentrain_canonical', 'schema_org_job_posting', 'indeed_xml', 'hr_xml'],
        updateKeys: [
          'jobTitle',
          'jobDescription',
          'paymentType',
          'pricePerHour',
          'pricePerLabel',
          'fixedPrice',
        ],
        enums: {
          paymentType: ['PAY_PER_LABEL', 'PAY_PER_HOUR', 'FIXED_PRICE'],
          experienceLevel: ['EXPERT', 'ENTRY_LEVEL', 'INTERMEDIATE', 'ANY_EXPERIENCE_LEVEL'],
          dataVolumeUnit: [
            'HOURS_OF_RECORDING_AUDIO_VIDEO',
            'NUMBER_OF_FILES',
            'NUMBER_OF_WORDS',
            'UNKNOWN_NOT_SPECIFIED',
          ],
        },
      },
      authBootstrap: 'token',
      enabled: true,
    };
  });

  app.get('/credits', async (request) => {
    const account = authorize(ctx, request, GATES.credits);
    return {
      credits: {
        availableCents: account.availableCents,
        reservedCents: account.reservedCents,
        currency: 'usd',
        recentEntries: ctx.ledger.recent(account.id, 10).map(ledgerEntryToWire),
      },
    };
  });
}
