/** One Jest config: ts-jest as in temporalio/samples-typescript; the Temporal binaries are resolved once per run. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  // A retry of the SDK's own test connections that falls due after teardown must not fail the file.
  setupFiles: ['<rootDir>/test/support/close-safe-retries.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
  testTimeout: 60_000,
  // Server-backed suites compete for 2 cores; two workers keep them from starving each other.
  maxWorkers: 2,
};
