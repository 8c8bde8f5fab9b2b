import { request } from 'undici';
import type { Config } from '../config';

/** What the human is told: never a secret, always where to act. */
export interface HumanNotification {
  engagementId: string;
  /** approval_requested | approval_reminder | blocked | … */
  kind: string;
  message: string;
  approvalId?: string;
  approvalUrl?: string;
  expiresAt?: string;
  /** Human-readable time left before the approval expires, e.g. "23h 59m". */
  timeLeft?: string;
  timeLeftMs?: number;
}

export interface Notifier {
  notify(notification: HumanNotification): Promise<void>;
}

/**
 * POSTs each notification as JSON to a webhook (NOTIFY_WEBHOOK_URL). A non-2xx answer throws, so the activity
 * retries; the URL itself is never logged (it may embed a secret).
 */
export function webhookNotifier(url: string, timeoutMs = 10_000): Notifier {
  return {
    async notify(notification) {
      const res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(notification),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      await res.body.dump();
      if (res.statusCode < 200 || res.statusCode >= 300) {
        throw new Error(`notification webhook answered ${res.statusCode}`);
      }
    },
  };
}

/** From the configuration: the webhook when NOTIFY_WEBHOOK_URL is set, else none (the log line still happens). */
export function notifierFromConfig(config: Pick<Config, 'NOTIFY_WEBHOOK_URL'>): Notifier | undefined {
  return config.NOTIFY_WEBHOOK_URL ? webhookNotifier(config.NOTIFY_WEBHOOK_URL) : undefined;
}
