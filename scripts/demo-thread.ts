import type { EngagementState } from '../domain/engagement-view';
import type { SandboxControl } from '../sandbox/control-client';

/**
 * The demo's thread steps: brief the trainer right after the hire, then wait for the trainer's answer (made here
 * through the sandbox control API, as the trainer would type it) before any more money moves; and print the whole
 * thread at the end, as `engagements message list` pages it from OpenTrain.
 */

export interface ThreadDemo {
  cli(args: string[], options?: { quiet?: boolean }): Promise<string>;
  control: SandboxControl;
  waitFor<T>(engagementId: string, what: string, pick: (state: EngagementState) => T | undefined): Promise<T>;
}

const BRIEF =
  'Hi Maria, welcome aboard! Milestone 1 is the pilot: 200 product images, one label each from the list in the ' +
  'job post. Please flag any image that fits no label instead of guessing. Questions welcome here.';
const TRAINER_REPLY =
  'Thanks! Starting on the pilot now. Should I skip blurry images or label them as best I can? I will flag them either way.';
const ANSWER =
  'Label them as best you can and flag them. Milestone 2 (300 more images) is coming once the pilot is paid.';

export async function briefTrainerAndAwaitReply(demo: ThreadDemo, engagementId: string): Promise<void> {
  await demo.cli(['message', 'send', engagementId, BRIEF]);
  const { conversationId } = await demo.waitFor(engagementId, 'the thread', (s) => s.thread);
  console.log('  → the trainer answers in the OpenTrain app; the demo makes the sandbox trainer reply');
  await demo.control.replyAsTrainer(conversationId, TRAINER_REPLY);
  const repliedAt = Date.now();
  await demo.waitFor(engagementId, "the trainer's reply", (s) =>
    s.thread?.messages.find((m) => m.sender === 'trainer'),
  );
  console.log(
    `  ✓ the reply reached the engagement in ${Date.now() - repliedAt} ms (webhook → feed → thread read)`,
  );
  await demo.cli(['state', engagementId]);
  await demo.cli(['message', 'send', engagementId, ANSWER]);
}

export async function printThread(demo: ThreadDemo, engagementId: string): Promise<string> {
  return demo.cli(['message', 'list', engagementId, '--direction', 'newer', '--all']);
}
