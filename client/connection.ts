import { Client, Connection } from '@temporalio/client';
import { EngagementClient, type ThreadReader } from './engagement-client';

/** Temporal connection settings shared by the CLI and the HTTP API. */
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

/** `threadReader` (an OpenTrain client) only for `listMessages`, which reads the whole thread from OpenTrain. */
export async function connectEngagementClient(
  settings: TemporalSettings,
  threadReader?: ThreadReader & { close?(): Promise<void> },
): Promise<ConnectedEngagementClient> {
  const connection = await Connection.connect({ address: settings.address });
  const client = new Client({ connection, namespace: settings.namespace });
  return {
    engagements: new EngagementClient(client, undefined, threadReader),
    client,
    close: async () => {
      await threadReader?.close?.();
      await connection.close();
    },
  };
}
