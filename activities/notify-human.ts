import { log } from '@temporalio/activity';
import type { HumanNotification, Notifier } from './notifier';

export function createNotifyActivities(notifier: Notifier | undefined) {
  return {
    /** Tell the human: a log line always, plus the notifier (webhook) when one is configured. */
    async notifyHuman(notification: HumanNotification): Promise<void> {
      log.info(`notify human: ${notification.message}`, {
        engagementId: notification.engagementId,
        kind: notification.kind,
        approvalUrl: notification.approvalUrl,
        timeLeft: notification.timeLeft,
      });
      await notifier?.notify(notification);
    },
  };
}
