import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { IntentDoor } from '../domain/intents';
import { EngagementClient, type ThreadReader } from './engagement-client';

/** Temporal connection settings shared by the CLI, the HTTP API and the MCP server. */
export interface TemporalSettings {
  address: string;
  namespace: string;
}

export function temporalSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  return {
    address: env.TEMPORAL_ADDRESS || '127.0.0.1:7233',
    namespace: env.TEMPORAL_NAMESPACE || 'default',
  };
}

export interface ConnectedEngagementClient {
  engagements: EngagementClient;
  client: Client;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** The way in the client serves, recorded with each intent (default `library`). */
  door?: IntentDoor;
  /**
   * Do not wait for the server: connect on the first call, and answer each call that finds Temporal down with an
   * error instead of failing at start (a long-lived MCP server keeps serving while Temporal comes and goes).
   */
  lazy?: boolean;
  /** An OpenTrain client, only for `listMessages` (the whole thread, read from OpenTrain); closed with this. */
  threadReader?: ThreadReader & { close?(): Promise<void> };
}

export async function connectEngagementClient(
  settings: TemporalSettings,
  options: ConnectOptions = {},
): Promise<ConnectedEngagementClient> {
  const connectionOptions = {
    address: settings.address,
    // An agent waiting on a tool is better told "Temporal is down" in a second or two than after the default
    // ten attempts (about 20 s); a mutation repeated under its key is safe.
    ...(options.lazy
      ? { interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 4 }))] }
      : {}),
  };
  const connection = options.lazy
    ? Connection.lazy(connectionOptions)
    : await Connection.connect(connectionOptions);
  const client = new Client({ connection, namespace: settings.namespace });
  return {
    engagements: new EngagementClient(client, undefined, options.door, options.threadReader),
    client,
    close: async () => {
      await options.threadReader?.close?.();
      await connection.close();
    },
  };
}
