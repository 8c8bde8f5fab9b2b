import { EVENT_TYPE_SCOPES, hasScope, type EventType } from './catalog';
import type { SandboxClock } from './clock';
import type { Account, StoredEvent } from './model';
import type { SandboxStore } from './state';

/** The PlatformEvent record, identical in /updates and webhook bodies (docs/opentrain-api.md#events). */
export interface PlatformEvent {
  id: string;
  type: string;
  apiVersion: 'v1';
  createdAt: string;
  resourceId: string;
  jobId: string | null;
  data: Record<string, unknown>;
}

export function toPlatformEvent(event: StoredEvent): PlatformEvent {
  return {
    id: event.id,
    type: event.type,
    apiVersion: 'v1',
    createdAt: event.createdAt,
    resourceId: event.resourceId,
    jobId: event.jobId,
    data: event.data,
  };
}

/** The account's event history behind GET /updates; every append is also handed to the listeners (webhooks). */
export class EventLog {
  private readonly listeners: ((event: StoredEvent) => void)[] = [];

  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
  ) {}

  onAppend(listener: (event: StoredEvent) => void): void {
    this.listeners.push(listener);
  }

  append(
    accountId: string,
    type: EventType,
    resource: { resourceId: string; jobId: string | null },
    data: Record<string, unknown>,
  ): StoredEvent {
    const event: StoredEvent = {
      id: this.store.nextEventId(),
      accountId,
      type,
      createdAt: this.clock.nowIso(),
      resourceId: resource.resourceId,
      jobId: resource.jobId,
      data,
    };
    this.store.state.events.push(event);
    for (const listener of this.listeners) listener(event);
    return event;
  }

  /**
   * Oldest first after `cursor`; event types the token cannot read are dropped silently
   * (docs/opentrain-api.md#updates-feed). `nextCursor` is the last returned id, or echoes the input when the page
   * is empty.
   */
  page(
    account: Account,
    cursor: string | undefined,
    limit: number,
  ): { events: PlatformEvent[]; nextCursor: string | null; hasMore: boolean } {
    const after = cursor === undefined ? -Infinity : Number(cursor);
    const visible = this.store.state.events.filter(
      (event) =>
        event.accountId === account.id &&
        Number(event.id) > after &&
        hasScope(account.scopes, EVENT_TYPE_SCOPES[event.type as EventType] ?? 'payments:read'),
    );
    const events = visible.slice(0, limit).map(toPlatformEvent);
    return {
      events,
      nextCursor: events.at(-1)?.id ?? cursor ?? null,
      hasMore: visible.length > limit,
    };
  }
}
