import type { FastifyInstance } from 'fastify';
import { authorize, claimUrl, GATES } from '../auth';
import type { SandboxContext } from '../context';
import { CAPABILITY_FEATURES, REPORT_CLAIM_STATUS_ON_ME } from '../gaps';
import { ledgerEntryToWire } from '../wire';

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
        ...(REPORT_CLAIM_STATUS_ON_ME
          ? { claimed: account.claimed, ...(account.claimed ? {} : { claimUrl: claimUrl(ctx) }) }
          : {}),
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
