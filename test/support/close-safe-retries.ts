/**
 * Jest setup (every test file): the SDK's `TestWorkflowEnvironment` makes its own client connection with the SDK's
 * retry interceptor, which we cannot configure. A retry of it that falls due after the environment's teardown
 * closed that connection throws "Channel has been shut down" from a timer, and Jest fails the whole file with
 * "Test suite failed to run" (seen in CI, 1 file in ~80, after worker kills or a server going down). Every
 * connection made after this point gets the same guard as ours (client/temporal-connection.ts).
 */
import { closeSafe } from '../../client/temporal-connection';

type RetryModule = { makeGrpcRetryInterceptor: (...args: unknown[]) => Parameters<typeof closeSafe>[0] };
// The SDK's Connection looks this export up each time it connects, so replacing it reaches every connection.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const retryModule = require('@temporalio/client/lib/grpc-retry') as RetryModule;
const original = retryModule.makeGrpcRetryInterceptor;
retryModule.makeGrpcRetryInterceptor = (...args: unknown[]) => closeSafe(original(...args));
