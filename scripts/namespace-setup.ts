import type { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { ENGAGEMENT_SEARCH_ATTRIBUTES } from '../domain/search-attributes';

/**
 * A namespace ready for engagements on any Temporal server (the cluster, the Java test server): the namespace
 * itself with its retention, and our search attributes — both idempotent, so every start may run them.
 */

const { IndexedValueType } = temporal.api.enums.v1;
const INDEXED_VALUE_TYPE: Partial<Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType>> = {
  [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.DATETIME]: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};

/** gRPC status codes. */
const ALREADY_EXISTS = 6;
const UNIMPLEMENTED = 12;

export async function ensureNamespace(
  connection: Connection,
  namespace: string,
  retentionDays: number,
): Promise<void> {
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`),
    });
  } catch (err) {
    if ((err as { code?: number }).code !== ALREADY_EXISTS) throw err;
  }
}

/** Adds whichever of our search attributes the namespace does not have yet. */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  // The Java test server cannot list them (UNIMPLEMENTED): there, every one is added.
  const existing = await connection.operatorService
    .listSearchAttributes({ namespace })
    .catch((err: unknown) => {
      if ((err as { code?: number }).code === UNIMPLEMENTED) return { customAttributes: {} };
      throw err;
    });
  const missing = ENGAGEMENT_SEARCH_ATTRIBUTES.filter(
    (key) => !(key.name in (existing.customAttributes ?? {})),
  );
  if (missing.length === 0) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(
      missing.map((key) => {
        const type = INDEXED_VALUE_TYPE[key.type];
        if (type === undefined) throw new Error(`no indexed value type for search attribute ${key.name}`);
        return [key.name, type];
      }),
    ),
  });
}
