import { InterceptingCall, Metadata, status, type Interceptor } from '@grpc/grpc-js';
import {
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type ConnectionOptions,
} from '@temporalio/client';

type BackoffOptions = Parameters<typeof defaultGrpcRetryOptions>[0];

/**
 * A Temporal client connection whose retries stop when it is closed. The SDK's retry interceptor waits on a timer
 * between attempts; an attempt due after `close()` throws "Channel has been shut down" from that timer, an
 * uncaught exception that ends the process (seen when the server restarts or goes away while a client closes:
 * the API's shutdown, a test's teardown). Here such an attempt ends as CANCELLED, the caller's error.
 */
export async function connectTemporal(
  options: ConnectionOptions & { lazy?: boolean; retry?: BackoffOptions },
): Promise<Connection> {
  const { lazy, retry, ...connectionOptions } = options;
  let closed = false;
  const retrying = makeGrpcRetryInterceptor(defaultGrpcRetryOptions(retry));
  const interceptor: Interceptor = (callOptions, nextCall) => {
    // Only a retry is cut short: a first attempt on a closed connection fails at once, in its caller's hands.
    let attempts = 0;
    return retrying(callOptions, (next) => (attempts++ > 0 && closed ? cancelledCall() : nextCall(next)));
  };
  const withInterceptor = { ...connectionOptions, interceptors: [interceptor] };
  const connection = lazy ? Connection.lazy(withInterceptor) : await Connection.connect(withInterceptor);
  const close = connection.close.bind(connection);
  connection.close = async () => {
    closed = true;
    await close();
  };
  return connection;
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
