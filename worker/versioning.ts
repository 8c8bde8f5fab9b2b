import type { WorkerDeploymentOptions } from '@temporalio/worker';
import { z } from 'zod';

/**
 * Worker Versioning from the configuration (config/variables.ts): WORKER_DEPLOYMENT_NAME and WORKER_BUILD_ID together turn it on (both or
 * neither — one alone is a mistake worth failing on). Unset, the worker is unversioned, as under `npm start` and
 * in tests. Every workflow of a versioned worker is AUTO_UPGRADE: engagements live for weeks and must follow the
 * current build at their next workflow task instead of pinning an old one; `patched()` and the replay tests in
 * test/histories/ are what keep such an upgrade safe. The behaviour is declared here and not per workflow with
 * `setWorkflowOptions`, because a workflow that declares one fails its workflow tasks on an unversioned worker
 * (tried with SDK 1.24.0 on the dev server: "Workflow Task in failed state"), which would break `npm start` and
 * every test.
 */

const versioningEnvSchema = z
  .object({
    WORKER_DEPLOYMENT_NAME: z.string().trim().min(1).optional(),
    WORKER_BUILD_ID: z.string().trim().min(1).optional(),
  })
  .refine((env) => !env.WORKER_DEPLOYMENT_NAME === !env.WORKER_BUILD_ID, {
    error: 'WORKER_DEPLOYMENT_NAME and WORKER_BUILD_ID go together: set both (versioned) or neither',
    path: ['WORKER_BUILD_ID'],
  });

export function deploymentOptionsFromConfig(env: {
  WORKER_DEPLOYMENT_NAME?: string;
  WORKER_BUILD_ID?: string;
}): WorkerDeploymentOptions | undefined {
  const parsed = versioningEnvSchema.safeParse({
    WORKER_DEPLOYMENT_NAME: env.WORKER_DEPLOYMENT_NAME || undefined,
    WORKER_BUILD_ID: env.WORKER_BUILD_ID || undefined,
  });
  if (!parsed.success) {
    throw new Error(
      `Worker Versioning: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const { WORKER_DEPLOYMENT_NAME: deploymentName, WORKER_BUILD_ID: buildId } = parsed.data;
  if (!deploymentName || !buildId) return undefined;
  return {
    version: { deploymentName, buildId },
    useWorkerVersioning: true,
    defaultVersioningBehavior: 'AUTO_UPGRADE',
  };
}
