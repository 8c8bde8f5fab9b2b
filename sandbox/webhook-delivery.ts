import { createHmac } from 'node:crypto';
import { fetch } from 'undici';
import type { SandboxClock } from './clock';
import { toPlatformEvent } from './events';
import {
  SIGN_WITH_WALL_CLOCK,
  WEBHOOK_AUTO_DISABLE_AFTER_FAILURES,
  WEBHOOK_DISABLED_REASON,
  WEBHOOK_MAX_ATTEMPTS,
  WEBHOOK_TIMEOUT_MS,
} from './gaps';
import type { StoredEvent, Webhook } from './model';
import type { SandboxStore } from './state';

/**
 * One event on its way to one subscription; retries reuse the id (docs/opentrain-api.md#webhooks). Kept in memory
 * only.
 */
export interface DeliveryRecord {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  status: 'PENDING' | 'DELIVERED' | 'FAILED';
  attempts: number;
  lastResponseStatus: number | null;
}

export interface WebhookDelivererOptions {
  store: SandboxStore;
  clock: SandboxClock;
  /** Delays between attempts 1→2, 2→3, … (the documented 1 min, 5 min, 30 min, 120 min unless scaled). */
  retryDelaysMs: readonly number[];
  /** Called whenever a subscription's persisted fields changed (failure count, disabled). */
  onStateChange: () => void;
}

/** `X-OpenTrain-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<rawBody>")>`, the full whsec_ value as key. */
export function signatureHeader(secret: string, rawBody: string, unixSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${rawBody}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}

/**
 * Pushes every appended event to the account's ACTIVE subscriptions that asked for its type: signed POST, 10 s
 * timeout, 5 attempts on the retry schedule, FAILED after that, and the subscription DISABLED after too many
 * consecutive failures. At-least-once; /updates stays the ledger.
 */
export class WebhookDeliverer {
  private readonly deliveries: DeliveryRecord[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private readonly aborts = new Set<AbortController>();
  private closed = false;

  constructor(private readonly options: WebhookDelivererOptions) {}

  enqueue(event: StoredEvent): void {
    const body = JSON.stringify(toPlatformEvent(event));
    for (const webhook of Object.values(this.options.store.state.webhooks)) {
      if (webhook.accountId !== event.accountId || webhook.status !== 'ACTIVE') continue;
      if (!webhook.eventTypes.includes(event.type)) continue;
      const record: DeliveryRecord = {
        id: this.options.store.newId('dlv'),
        webhookId: webhook.id,
        eventId: event.id,
        eventType: event.type,
        status: 'PENDING',
        attempts: 0,
        lastResponseStatus: null,
      };
      this.deliveries.push(record);
      this.track(this.attempt(record, body));
    }
  }

  list(): DeliveryRecord[] {
    return this.deliveries.map((record) => ({ ...record }));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.aborts) controller.abort();
    await Promise.allSettled([...this.running]);
  }

  private track(promise: Promise<void>): void {
    this.running.add(promise);
    void promise.finally(() => this.running.delete(promise));
  }

  private currentWebhook(record: DeliveryRecord): Webhook | undefined {
    const webhook = this.options.store.state.webhooks[record.webhookId];
    return webhook?.status === 'ACTIVE' ? webhook : undefined;
  }

  private async attempt(record: DeliveryRecord, body: string): Promise<void> {
    const webhook = this.currentWebhook(record);
    if (this.closed) return;
    if (!webhook) {
      // Deleted or disabled meanwhile: deliveries stop immediately (docs/opentrain-api.md#webhooks).
      record.status = 'FAILED';
      return;
    }
    record.attempts += 1;
    const status = await this.post(webhook, record, body);
    if (this.closed) return;
    record.lastResponseStatus = status;
    const current = this.currentWebhook(record);
    if (!current) {
      record.status = 'FAILED';
      return;
    }
    if (status !== null && status >= 200 && status < 300) {
      record.status = 'DELIVERED';
      current.consecutiveFailures = 0;
    } else {
      current.consecutiveFailures += 1;
      if (current.consecutiveFailures >= WEBHOOK_AUTO_DISABLE_AFTER_FAILURES) {
        this.disable(current);
      } else if (record.attempts < WEBHOOK_MAX_ATTEMPTS) {
        this.retryLater(record, body);
      } else {
        record.status = 'FAILED';
      }
    }
    this.options.onStateChange();
  }

  private retryLater(record: DeliveryRecord, body: string): void {
    const delays = this.options.retryDelaysMs;
    const delay = delays[record.attempts - 1] ?? delays.at(-1) ?? 0;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.track(this.attempt(record, body));
    }, delay);
    this.timers.add(timer);
  }

  private disable(webhook: Webhook): void {
    webhook.status = 'DISABLED';
    webhook.disabledAt = this.options.clock.nowIso();
    webhook.disabledReason = WEBHOOK_DISABLED_REASON;
    for (const record of this.deliveries) {
      if (record.webhookId === webhook.id && record.status === 'PENDING') record.status = 'FAILED';
    }
  }

  /** The receiver's HTTP status, or null when it could not be reached in time. Redirects are not followed. */
  private async post(webhook: Webhook, record: DeliveryRecord, body: string): Promise<number | null> {
    const nowMs = SIGN_WITH_WALL_CLOCK ? Date.now() : this.options.clock.nowMs();
    const controller = new AbortController();
    this.aborts.add(controller);
    const timeout = setTimeout(() => controller.abort(), WEBHOOK_TIMEOUT_MS);
    try {
      const response = await fetch(webhook.url, {
        method: 'POST',
        redirect: 'manual',
        signal: controller.signal,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'OpenTrain-Webhooks/1.0',
          'x-opentrain-event': record.eventType,
          'x-opentrain-delivery': record.id,
          'x-opentrain-signature': signatureHeader(webhook.secret, body, Math.floor(nowMs / 1000)),
        },
        body,
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return null;
    } finally {
      clearTimeout(timeout);
      this.aborts.delete(controller);
    }
  }
}
