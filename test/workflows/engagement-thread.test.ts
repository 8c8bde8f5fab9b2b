import { WorkflowUpdateFailedError } from '@temporalio/client';
import { messageReceivedSignal, sendMessageUpdate } from '../../workflows/messages';
import { waitForState } from './support/engagement-handle';
import { FakeOpenTrain } from './support/fake-opentrain';
import { hireAndActivate, timeSkippingSuite } from './support/harness';

const suite = timeSkippingSuite();
const HOUR_MS = 3_600_000;

/** The trainer writes into the fake's thread; the feed would then signal `messageReceived`. */
function trainerWrites(fake: FakeOpenTrain, content: string, atMs: number): void {
  fake.thread.push({
    id: `msg_t${fake.thread.length + 1}`,
    content,
    isFromViewer: false,
    createdAt: new Date(atMs).toISOString(),
  });
}

describe("the trainer's thread (time-skipping, mocked activities)", () => {
  it('keeps sent and received messages, and tells the human once when a reply waits past the policy', async () => {
    const fake = new FakeOpenTrain();
    await suite.run(fake, { policy: { replyWaitingNotifyMs: 2 * HOUR_MS } }, async (handle) => {
      await hireAndActivate(handle, fake);
      const sent = await handle.executeUpdate(sendMessageUpdate, {
        args: [{ content: 'Brief' }],
        updateId: 'k1',
      });
      expect(sent).toMatchObject({ sender: 'you', content: 'Brief' });

      trainerWrites(fake, 'A question about batch 1', await suite.env.currentTimeMs());
      await handle.signal(messageReceivedSignal, { conversationId: 'conv_1', messageId: 'msg_t2' });
      await handle.signal(messageReceivedSignal, { conversationId: 'conv_other', messageId: 'x' });
      const received = await waitForState(handle, (s) => s.thread?.unread === 1);
      expect(received.thread?.messages.map((m) => [m.sender, m.content])).toEqual([
        ['you', 'Brief'],
        ['trainer', 'A question about batch 1'],
      ]);

      await suite.env.sleep(HOUR_MS);
      expect(fake.notifications.filter((n) => n.kind === 'reply_waiting')).toHaveLength(0);
      await suite.env.sleep(2 * HOUR_MS);
      await waitForState(handle, (s) => s.history.some((h) => h.kind === 'reply_waiting'));
      await suite.env.sleep(5 * HOUR_MS);
      const told = fake.notifications.filter((n) => n.kind === 'reply_waiting');
      expect(told).toHaveLength(1);
      expect(told[0]?.message).toContain('A question about batch 1');

      // A repeat of the key answers the first message and sends nothing; other words under it are refused.
      const repeat = await handle.executeUpdate(sendMessageUpdate, {
        args: [{ content: 'Brief' }],
        updateId: 'k1',
      });
      expect(repeat).toEqual(sent);
      expect(fake.callsOf('postThreadMessage')).toHaveLength(1);
    });
  });

  it('a reply answered before the threshold is never reported', async () => {
    const fake = new FakeOpenTrain();
    await suite.run(fake, { policy: { replyWaitingNotifyMs: 2 * HOUR_MS } }, async (handle) => {
      await hireAndActivate(handle, fake);
      trainerWrites(fake, 'Started!', await suite.env.currentTimeMs());
      await handle.signal(messageReceivedSignal, { conversationId: 'conv_1' });
      await waitForState(handle, (s) => s.thread?.unread === 1);
      await handle.executeUpdate(sendMessageUpdate, { args: [{ content: 'Great, thanks' }] });
      expect((await waitForState(handle, (s) => s.thread?.unread === 0)).thread?.messages).toHaveLength(2);
      await suite.env.sleep(6 * HOUR_MS);
      expect(fake.notifications.filter((n) => n.kind === 'reply_waiting')).toEqual([]);
    });
  });

  it('refuses a message before there is a contract thread', async () => {
    const fake = new FakeOpenTrain();
    await suite.run(fake, {}, async (handle) => {
      await waitForState(handle, (s) => s.pendingApprovals.length === 1);
      const refused = await handle
        .executeUpdate(sendMessageUpdate, { args: [{ content: 'Hello?' }] })
        .catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((refused as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'contract_not_active' });
      expect(fake.callsOf('postThreadMessage')).toHaveLength(0);
    });
  });
});
