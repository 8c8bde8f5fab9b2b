import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { endContractUpdate, messageReceivedSignal, sendMessageUpdate } from '../../workflows/messages';
import { bundleEngagementWorkflows, createDevServerEnv } from '../support/temporal';
import { DevStack, recordHistory } from './support/dev-stack';
import { waitForState } from './support/engagement-handle';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, bundle] = await Promise.all([createDevServerEnv(), bundleEngagementWorkflows()]);
}, 120_000);
afterAll(async () => {
  await env?.teardown();
});

/**
 * The thread with the real activities against the sandbox (the test plays the feed's part and signals
 * `messageReceived` itself). Recorded with RECORD_HISTORIES=1 for the replay test: brief, an in-doubt send
 * adopted from the thread, the trainer's reply, the end.
 */
it('sends, settles an in-doubt send by adoption, keeps the reply, and ends', async () => {
  const stack = await DevStack.start(env, bundle, { name: 'thread', creditsCents: 1000_00 });
  try {
    await stack.worker.runUntil(async () => {
      const handle = await stack.startEngagement(env, {
        firstMilestone: { name: 'Pilot', description: 'Label 200 images', amountUsd: 100 },
      });
      const waiting = await waitForState(handle, (s) => s.pendingApprovals.length === 1);
      await stack.confirm(handle, waiting.pendingApprovals[0]!.approvalId);
      const active = await waitForState(handle, (s) => s.phase === 'active');
      const conversationId = active.jobDmConversationId!;

      const brief = await handle.executeUpdate(sendMessageUpdate, { args: [{ content: 'Brief' }] });
      await stack.control.setFaults({ failAfterCommitRate: 1 });
      const doubtful = await handle
        .executeUpdate(sendMessageUpdate, { args: [{ content: 'Guidelines' }], updateId: 'guidelines' })
        .finally(() => stack.control.setFaults({}));
      await stack.control.replyAsTrainer(conversationId, 'Starting now');
      await handle.signal(messageReceivedSignal, { conversationId });
      const replied = await waitForState(handle, (s) => s.thread?.unread === 1);
      expect(replied.thread?.messages.map((m) => [m.id, m.sender, m.content])).toEqual([
        [brief.id, 'you', 'Brief'],
        [doubtful.id, 'you', 'Guidelines'],
        [expect.any(String), 'trainer', 'Starting now'],
      ]);
      const stored = await stack.control.conversationMessages(conversationId);
      expect(stored.map((m) => m.content)).toEqual(['Brief', 'Guidelines', 'Starting now']);

      const ending = await handle.executeUpdate(endContractUpdate, { args: [{}] });
      await stack.confirm(handle, ending.pendingApprovals[0]!.approvalId);
      expect((await handle.result()).thread?.messages).toHaveLength(3);
      await recordHistory(handle, 'thread');
    });
  } finally {
    await stack.close();
  }
});
