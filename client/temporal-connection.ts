import { InterceptingCall, Metadata, status, type Interceptor } from '@grpc/grpc-js';
import {
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type ConnectionOptions,
} from '@temporalio/client';

type BackoffOptions = Parameters<typeof defaultGrpcRetryOptions>[0];

/**
 * A Temporal client connection whose retries stop when it is closed (see `closeSafe`). Every connection of ours
 * is made here: the API, CLI, MCP server, scripts and tests.
 */
export function connectTemporal(
  options: ConnectionOptions & { lazy?: boolean; retry?: BackoffOptions },
): Promise<Connection> {
  const { lazy, retry, ...connectionOptions } = options;
  const withInterceptor = {
    ...connectionOptions,
    interceptors: [closeSafe(makeGrpcRetryInterceptor(defaultGrpcRetryOptions(retry)))],
  };
  return lazy ? Promise.resolve(Connection.lazy(withInterceptor)) : Connection.connect(withInterceptor);
}

/**
 * The SDK's retry interceptor waits on a timer between attempts; an attempt due after the connection was closed
 * throws "Channel has been shut down" from that timer, an uncaught exception that ends the process (seen when the
 * server restarts or goes away while a client closes: the API's shutdown, a test's teardown). Wrapped here, such a
 * retry ends as CANCELLED, the caller's error. Only a retry is cut short: a first attempt on a closed connection
 * fails at once, in its caller's hands, as before.
 */
export function closeSafe(retrying: Interceptor): Interceptor {
  return (callOptions, nextCall) => {
    let attempts = 0;
    return retrying(callOptions, (next) => {
      attempts += 1;
      try {
        return nextCall(next);
      } catch (err) {
        if (attempts === 1 || !/Channel has been shut down/.test(String(err))) throw err;
        return cancelledCall();
      }
    });
  };
}

/** A call that ends at once with CANCELLED, as one cut off by the client's own close does. */
function cancelledCall(): InterceptingCall {
  // Its requester answers every step itself, so there is no next call to pass anything on to.
  return new InterceptingCall(null as unknown as ConstructorParameters<typeof InterceptingCall>[0], {
    start: (_metadata, listener) =>
      listener.onReceiveStatus({
        code: status.CANCELLED,
        details: 'the connection was closed',
        metadata: new Metadata(),
      }),
    sendMessage: () => undefined,
    halfClose: () => undefined,
    cancel: () => undefined,
  });
}
