/**
 * The consumer project the install test writes: one script per way a user imports the package (CommonJS, ESM,
 * TypeScript compiled by tsc), each starting an engagement and reading it back through the installed library.
 */

/** Shared body: uses only what the package exports, reports what it saw as one JSON line. */
const body = `
const { engagements, close } = await connectEngagementClient(temporalSettingsFromEnv());
try {
  const { engagementId } = await engagements.start({
    proposalId: process.env.PROPOSAL_ID,
    firstMilestone: { name: 'Pilot', amountUsd: 25 },
  });
  let state;
  for (let i = 0; i < 100 && !state?.pendingApprovals.length; i += 1) {
    state = await engagements.getState(engagementId);
    await new Promise((r) => setTimeout(r, 200));
  }
  let notFound = false;
  try {
    await engagements.getState('engagement-prp_nobody_here');
  } catch (err) {
    notFound = err instanceof EngagementNotFoundError;
  }
  console.log(JSON.stringify({
    engagementId,
    phase: state.phase,
    approval: state.pendingApprovals[0]?.type,
    notFound,
    isClientClass: engagements instanceof EngagementClient,
  }));
} finally {
  await close();
}
`;

export const consumerFiles: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2),
  'cjs.cjs': `
const { connectEngagementClient, EngagementClient, temporalSettingsFromEnv } = require('opentrain-engagements');
const { EngagementNotFoundError } = require('opentrain-engagements/errors');
(async () => {${body}})().catch((err) => { console.error(err); process.exit(1); });
`,
  'esm.mjs': `
import { connectEngagementClient, EngagementClient, temporalSettingsFromEnv } from 'opentrain-engagements';
import { EngagementNotFoundError } from 'opentrain-engagements/errors';
${body}
`,
  'ts/main.ts': `
import { connectEngagementClient, EngagementClient, temporalSettingsFromEnv } from 'opentrain-engagements';
import type { EngagementState } from 'opentrain-engagements';
import { EngagementNotFoundError } from 'opentrain-engagements/errors';
declare const process: { env: Record<string, string | undefined> };
async function main(): Promise<void> {
  const { engagements, close } = await connectEngagementClient(temporalSettingsFromEnv());
  const started: { engagementId: string } = await engagements.start({
    proposalId: process.env.PROPOSAL_ID ?? '',
    firstMilestone: { name: 'Pilot', amountUsd: 25 },
  });
  const state: EngagementState = await engagements.getState(started.engagementId);
  const notFound = await engagements.getState('engagement-prp_nobody_here').then(
    () => false,
    (err: unknown) => err instanceof EngagementNotFoundError,
  );
  console.log(JSON.stringify({
    engagementId: started.engagementId,
    phase: state.phase,
    notFound,
    isClientClass: engagements instanceof EngagementClient,
  }));
  await close();
}
main().catch((err: unknown) => { console.error(err); throw err; });
`,
  'ts/tsconfig.json': JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        skipLibCheck: true,
        outDir: '../ts-out',
        types: [],
      },
      include: ['main.ts'],
    },
    null,
    2,
  ),
};
