import { OpenTrainApiError, OpenTrainClient } from '../../../opentrain';
import { SandboxControl } from '../../../sandbox/control-client';
import { startSandbox, type RunningSandbox } from '../../../sandbox/server';

export type AccountSetup = Parameters<SandboxControl['createAccount']>[0];

/** One sandbox per test file, plus clients bound to fresh sandbox accounts (closed together). */
export class SandboxHarness {
  sandbox!: RunningSandbox;
  control!: SandboxControl;
  readonly #clients: OpenTrainClient[] = [];

  async start(): Promise<void> {
    this.sandbox = await startSandbox();
    this.control = new SandboxControl(this.sandbox.url);
  }

  async stop(): Promise<void> {
    await Promise.all(this.#clients.map((client) => client.close()));
    await this.sandbox?.close();
  }

  clientFor(token: string, timeoutMs = 5_000): OpenTrainClient {
    const client = new OpenTrainClient({ baseUrl: this.sandbox.apiBaseUrl, token, timeoutMs });
    this.#clients.push(client);
    return client;
  }

  /** A new account (fully enabled unless told otherwise) and a client holding its token. */
  async account(setup: AccountSetup = {}): Promise<{ token: string; client: OpenTrainClient }> {
    const { token } = await this.control.createAccount(setup);
    return { token, client: this.clientFor(token) };
  }
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
