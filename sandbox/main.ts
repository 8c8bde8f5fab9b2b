import { z } from 'zod';
import { parseInput } from '../domain/validation';
import { SandboxControl } from './control-client';
import { WEBHOOK_RETRY_DELAYS_MS } from './gaps';
import { startSandbox } from './server';

/** `npm run sandbox`: serves on 127.0.0.1:${SANDBOX_PORT ?? 4010}, prints one ready line, Ctrl-C closes cleanly. */
const envSchema = z.object({
  SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
  SANDBOX_PORT: z.coerce.number().int().min(0).max(65_535).default(4010),
  SANDBOX_APPROVAL_TTL_MS: z.coerce.number().int().positive().optional(),
  SANDBOX_STATE_FILE: z.string().min(1).optional(),
  /** Multiplies the documented webhook retry delays (e.g. 0.001 turns 1 min into 60 ms). */
  SANDBOX_WEBHOOK_RETRY_SCALE: z.coerce.number().positive().default(1),
  SANDBOX_LOG: z.enum(['0', '1']).default('0'),
});

async function main(): Promise<void> {
  const env = parseInput(envSchema, process.env, 'sandbox environment');
  const sandbox = await startSandbox({
    host: env.SANDBOX_HOST,
    port: env.SANDBOX_PORT,
    approvalTtlMs: env.SANDBOX_APPROVAL_TTL_MS,
    stateFile: env.SANDBOX_STATE_FILE,
    webhookRetryDelaysMs: WEBHOOK_RETRY_DELAYS_MS.map((ms) =>
      Math.round(ms * env.SANDBOX_WEBHOOK_RETRY_SCALE),
    ),
    logger: env.SANDBOX_LOG === '1',
  });
  const control = new SandboxControl(sandbox.url);
  const { token } = await control.createAccount();
  const { proposalId, jobId } = await control.createProposal({ token });
  console.log(
    `OpenTrain sandbox ready at ${sandbox.url} (API ${sandbox.apiBaseUrl}) token=${token} proposal=${proposalId} job=${jobId}`,
  );

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('Sandbox did not close cleanly:', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
