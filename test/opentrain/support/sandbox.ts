import { OpenTrainApiError, OpenTrainClient } from '../../../opentrain';
import type { SandboxAccountSettings } from '../../../sandbox/control-client';
import { useTestSandbox } from '../../sandbox/support';

/**
 * One sandbox per test file (the sandbox tests' own `useTestSandbox`: started in beforeAll, closed in afterAll),
 * plus OpenTrainClients bound to fresh sandbox accounts, closed after the file's tests.
 */
export function useSandboxHarness() {
  const env = useTestSandbox();
  const clients: OpenTrainClient[] = [];
  afterAll(() => Promise.all(clients.splice(0).map((client) => client.close())));

  const clientFor = (token: string, timeoutMs = 5_000): OpenTrainClient => {
    const client = new OpenTrainClient({ baseUrl: env.sandbox.apiBaseUrl, token, timeoutMs });
    clients.push(client);
    return client;
  };
  return {
    get sandbox() {
      return env.sandbox;
    },
    get control() {
      return env.control;
    },
    clientFor,
    /** A new account (fully enabled unless told otherwise) and a client holding its token. */
    async account(setup: SandboxAccountSettings = {}): Promise<{ token: string; client: OpenTrainClient }> {
      const { token } = await env.control.createAccount(setup);
      return { token, client: clientFor(token) };
    },
  };
}

/** Awaits the rejection of `promise`, failing the test if it resolved. */
export async function apiError(promise: Promise<unknown>): Promise<OpenTrainApiError> {
  let outcome: unknown;
  try {
    outcome = await promise;
  } catch (error) {
    if (error instanceof OpenTrainApiError) return error;
    throw error;
  }
  throw new Error(`expected an OpenTrainApiError, got ${JSON.stringify(outcome)}`);
}
