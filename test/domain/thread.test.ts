import {
  adoptSentMessage,
  CLOCK_SKEW_TOLERANCE_MS,
  decideAfterSendFailure,
  decideWhenNotFound,
  KEPT_CONTENT_CHARS,
  mergeThread,
  messagingRefusal,
  observeMessage,
  replyToNotify,
  sendMessageInputSchema,
  THREAD_KEEP,
  unreadReplies,
  type ThreadMessage,
  type ThreadState,
} from '../../domain/thread';

const at = (minute: number) => new Date(Date.UTC(2026, 5, 12, 9, minute)).toISOString();
const ours = (id: string, content: string, minute: number) => ({
  id,
  content,
  isFromViewer: true,
  createdAt: at(minute),
});
const theirs = (id: string, minute: number): ThreadMessage => ({
  id,
  sender: 'trainer',
  at: at(minute),
  content: id,
});
const mine = (id: string, minute: number): ThreadMessage => ({
  id,
  sender: 'you',
  at: at(minute),
  content: id,
});

describe('sendMessageInputSchema', () => {
  it('takes 1–10,000 characters of text and names content for anything else', () => {
    expect(sendMessageInputSchema.safeParse({ content: 'x'.repeat(10_000) }).success).toBe(true);
    for (const content of ['', 'x'.repeat(10_001), 42, undefined]) {
      const parsed = sendMessageInputSchema.safeParse({ content });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['content']);
    }
  });
});

describe('adoptSentMessage', () => {
  const attempt = { content: 'Brief', sentAfter: at(10), claimedIds: new Set<string>() };

  it('adopts our message with the same content written after the request', () => {
    expect(adoptSentMessage([ours('m2', 'Brief', 11)], attempt)?.id).toBe('m2');
  });

  it("never adopts the trainer's words, other content, or a message another send already claimed", () => {
    const newest = [
      { ...ours('m1', 'Brief', 11), isFromViewer: false },
      ours('m2', 'Other', 11),
      ours('m3', 'Brief', 12),
    ];
    expect(adoptSentMessage(newest, { ...attempt, claimedIds: new Set(['m3']) })).toBeUndefined();
  });

  it('ignores the same words sent long before the request, within the clock tolerance only', () => {
    const tolerance = CLOCK_SKEW_TOLERANCE_MS / 60_000;
    expect(adoptSentMessage([ours('old', 'Brief', 10 - tolerance - 1)], attempt)).toBeUndefined();
    expect(adoptSentMessage([ours('skewed', 'Brief', 10 - tolerance + 1)], attempt)?.id).toBe('skewed');
  });

  it('takes the oldest of two twins: a later one could only be a second send, another intent', () => {
    expect(adoptSentMessage([ours('b', 'Brief', 13), ours('a', 'Brief', 12)], attempt)?.id).toBe('a');
  });
});

describe('decideAfterSendFailure / decideWhenNotFound', () => {
  it('reads the thread after 5xx, timeouts, 409 and broken bodies; never resends blindly', () => {
    for (const failure of [
      { status: 500, message: 'x' },
      { message: 'timeout' },
      { type: 'OpenTrainResponseError', message: 'bad body' },
      { status: 409, message: 'conflict' },
    ])
      expect(decideAfterSendFailure(failure).kind).toBe('read_and_adopt');
  });

  it('sends again only when the thread proves a 5xx/timeout send absent; a 409 then is a refusal', () => {
    expect(decideWhenNotFound({ status: 503, message: 'x' }).kind).toBe('read_and_adopt');
    expect(decideWhenNotFound({ message: 'timeout' }).kind).toBe('read_and_adopt');
    expect(decideWhenNotFound({ status: 409, message: 'x' }).kind).toBe('refused');
  });

  it('refuses a 429 at once (the rate limit commits nothing) and names the remedy', () => {
    const decision = decideAfterSendFailure({ status: 429, type: 'RATE_LIMITED', message: 'slow down' });
    expect(decision).toMatchObject({ kind: 'refused', failure: { type: 'messaging_rate_limited' } });
  });
});

describe('messagingRefusal', () => {
  it.each([
    [
      { status: 403, details: { reason: 'account_claim_required', claimUrl: 'u' } },
      'account_claim_required',
      /claim/,
    ],
    [
      { status: 403, details: { requiredScopes: ['messages:write'] } },
      'messages_write_scope_missing',
      /messages:write/,
    ],
    [
      { status: 403, details: { featureKey: 'public_api_messaging_writes' } },
      'messaging_writes_disabled',
      /enable/,
    ],
    [{ status: 400, details: { reason: 'content_policy_violation' } }, 'message_content_refused', /rephrase/],
    [{ status: 404, details: {} }, 'not_conversation_member', /member/],
    [{ status: 403, details: { reason: 'conversation_closed' } }, 'not_conversation_member', /ended/],
    [{ status: 401, details: {} }, 'opentrain_access', /token/],
  ])('%j → %s with its remedy', (failure, type, remedy) => {
    const refusal = messagingRefusal({ message: 'OpenTrain said no', ...failure });
    expect(refusal.type).toBe(type);
    expect(refusal.details.remedy).toMatch(remedy);
    expect(refusal.message).toContain('OpenTrain said no');
  });
});

describe('the kept thread', () => {
  it('merges without duplicates, in time order, keeping the newest 50', () => {
    const thread: ThreadState = { messages: [] };
    const many = Array.from({ length: THREAD_KEEP + 5 }, (_, i) => theirs(`t${i}`, i));
    expect(mergeThread(thread, [...many].reverse())).toBe(true);
    expect(mergeThread(thread, [many[THREAD_KEEP + 4] as ThreadMessage])).toBe(false);
    expect(thread.messages).toHaveLength(THREAD_KEEP);
    expect(thread.messages[0]?.id).toBe('t5');
    expect(thread.messages.at(-1)?.id).toBe(`t${THREAD_KEEP + 4}`);
  });

  it("counts the trainer's messages since our last one as unread, and tells the human once per reply", () => {
    const thread: ThreadState = { messages: [mine('m1', 1), theirs('t1', 2), theirs('t2', 3)] };
    expect(unreadReplies(thread).map((m) => m.id)).toEqual(['t1', 't2']);
    expect(replyToNotify(thread)?.id).toBe('t1');
    thread.notifiedReplyId = 't1';
    expect(replyToNotify(thread)).toBeUndefined();
    mergeThread(thread, [mine('m2', 4)]);
    expect(unreadReplies(thread)).toEqual([]);
    mergeThread(thread, [theirs('t3', 5)]);
    expect(replyToNotify(thread)?.id).toBe('t3');
  });
});

describe('observeMessage', () => {
  it('keeps an excerpt of a long message, and still tells a send whether the whole text is its own', () => {
    const long = 'a'.repeat(KEPT_CONTENT_CHARS + 50);
    const seen = observeMessage({ id: 'm1', content: long, isFromViewer: true, createdAt: at(11) }, long);
    expect(seen).toMatchObject({ truncated: true, sameAsSent: true });
    expect(seen.content).toHaveLength(KEPT_CONTENT_CHARS + 1);
    const attempt = { content: long, sentAfter: at(10), claimedIds: new Set<string>() };
    expect(adoptSentMessage([seen], attempt)?.id).toBe('m1');
    const other = observeMessage(
      { id: 'm2', content: `${long}!`, isFromViewer: true, createdAt: at(11) },
      long,
    );
    expect(adoptSentMessage([other], attempt)).toBeUndefined();
  });
});
