import { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { dataConverterFromConfig } from '../codec/data-converter';
import { loadConfig, processConfig, type Config } from '../config';
import type { IntentDoor } from '../domain/intents';
import { clientOptionsFromConfig, OpenTrainClient } from '../opentrain';
import { EngagementClient, type ThreadReader } from './engagement-client';
import { connectTemporal } from './temporal-connection';

/** Temporal connection settings shared by the CLI, the HTTP API, the MCP server and the TypeScript client. */
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

/**
 * OpenTrain, when the configuration holds its token, as the reader of whole message threads (`message list`,
 * `list_messages`); that is all a client process uses the token for. Without it those answer `opentrain_not_configured`.
 */
export function threadReaderFromConfig(config: Config): OpenTrainClient | undefined {
  return config.OPENTRAIN_API_TOKEN || config.OT_API_TOKEN
    ? new OpenTrainClient(clientOptionsFromConfig(config))
    : undefined;
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
  const connection = await connectTemporal({
    address: settings.address,
    lazy: options.lazy,
    // An agent waiting on a tool is better told "Temporal is down" in a second or two than after the default
    // ten attempts (about 20 s); a mutation repeated under its key is safe.
    ...(options.lazy ? { retry: { maxAttempts: 4 } } : {}),
  });
  const client = new Client({
    connection,
    namespace: settings.namespace,
    ...(settings.dataConverter ? { dataConverter: settings.dataConverter } : {}),
  });
  return {
    engagements: new EngagementClient(client, undefined, options.door, options.threadReader),
    client,
    close: async () => {
      await options.threadReader?.close?.();
      await connection.close();
    },
  };
}
