import { processConfig } from '../config';
import { SandboxControl } from './control-client';
import { WEBHOOK_RETRY_DELAYS_MS } from './gaps';
import { startSandbox } from './server';

/**
 * `npm run sandbox`: serves on SANDBOX_HOST:SANDBOX_PORT (default 127.0.0.1:4010; config/variables.ts), prints one
 * ready line, Ctrl-C closes cleanly.
 */
async function main(): Promise<void> {
  const env = processConfig('sandbox');
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
