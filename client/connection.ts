import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { dataConverterFromConfig } from '../codec/data-converter';
import { loadConfig, processConfig, type Config } from '../config';
import { EngagementClient } from './engagement-client';

/** Temporal connection settings shared by the CLI, the HTTP API and the TypeScript client. */
export interface TemporalSettings {
  address: string;
  namespace: string;
  /** Set when payloads are encrypted (PAYLOAD_ENCRYPTION_KEYS): the worker's own data converter. */
  dataConverter?: DataConverter;
}

export function temporalSettingsFromConfig(config: Config): TemporalSettings {
  return {
    address: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    ...(config.PAYLOAD_ENCRYPTION_KEYS ? { dataConverter: dataConverterFromConfig(config) } : {}),
  };
}

/** From the process's configuration, or from `env` parsed on the spot (tests, embedding). */
export function temporalSettingsFromEnv(env?: NodeJS.ProcessEnv): TemporalSettings {
  return temporalSettingsFromConfig(env ? loadConfig(env) : processConfig());
}

export interface ConnectedEngagementClient {
  engagements: EngagementClient;
  client: Client;
  close(): Promise<void>;
}

export async function connectEngagementClient(
  settings: TemporalSettings,
): Promise<ConnectedEngagementClient> {
  const connection = await Connection.connect({ address: settings.address });
  const client = new Client({
    connection,
    namespace: settings.namespace,
    ...(settings.dataConverter ? { dataConverter: settings.dataConverter } : {}),
  });
  return { engagements: new EngagementClient(client), client, close: () => connection.close() };
}
