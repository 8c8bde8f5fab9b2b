import { SandboxControl } from '../sandbox/control-client';
import type { LocalStackInfo } from './stack-info';

/**
 * The command-line half of `npm start` and `npm run cluster`: start, print the banner (with a fresh sandbox
 * proposal to try), and stop everything once on the first Ctrl-C / SIGTERM.
 */
export function runUntilSignal(
  command: string,
  start: () => Promise<{ info: LocalStackInfo; stop(): Promise<void> }>,
  banner: (info: LocalStackInfo, proposalId: string | undefined) => string,
): void {
  start().then(
    async (stack) => {
      const proposal =
        stack.info.sandboxUrl && stack.info.sandboxToken
          ? await new SandboxControl(stack.info.sandboxUrl).createProposal({ token: stack.info.sandboxToken })
          : undefined;
      console.log(banner(stack.info, proposal?.proposalId));
      let stopping = false;
      const shutdown = () => {
        if (stopping) return;
        stopping = true;
        console.log('\nStopping…');
        stack.stop().then(
          () => process.exit(0),
          (err: unknown) => {
            console.error(err);
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    },
    (err: unknown) => {
      console.error(`${command}: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
