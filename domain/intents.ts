import { z } from 'zod';
import type { MoneyMove } from './money-move';

/**
 * Intents: what a caller asked of the engagement, under a key (docs/intents.md). The records live in the
 * workflow's state and travel across continue-as-new, so a key keeps meaning "this one operation" for the
 * engagement's whole life. Pure: no clock, no Temporal.
 */

export const intentKindSchema = z.enum([
  'add_milestone',
  'fund',
  'release',
  'end',
  'retry',
  'confirm_not_fit',
  'send_message',
]);
export type IntentKind = z.infer<typeof intentKindSchema>;

/**
 * The way in an intent came through, for the audit trail. It rides as an optional `door` field beside the
 * operation's arguments (never part of them: the fingerprint and the key's digest leave it out, so a key repeated
 * through another door is still the same request). Histories from before it simply have none.
 */
export const intentDoorSchema = z.enum(['library', 'http', 'cli', 'mcp']);
export type IntentDoor = z.infer<typeof intentDoorSchema>;

/** The door a caller named beside its arguments, if it named a known one. */
export function doorOf(raw: unknown): IntentDoor | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  return intentDoorSchema.safeParse((raw as { door?: unknown }).door).data;
}

/** A caller's key: the Temporal updateId, the HTTP Idempotency-Key, the CLI's --idempotency-key. */
export const idempotencyKeySchema = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(200, { error: 'must be at most 200 characters' });

/**
 * The Temporal updateId of a keyed request: the caller's key plus a digest of the operation and its arguments.
 * Temporal answers a repeated updateId with the first outcome without asking the workflow, so a key reused with
 * other arguments must arrive under another updateId, for the workflow to refuse it. Plain updateIds (from
 * callers that do not use this form) are keys as they are.
 */
const KEYED_UPDATE_ID = /^(.+)~([0-9a-f]{16})$/s;

export function updateIdFor(key: string, requestDigest: string): string {
  return `${key}~${requestDigest.slice(0, 16)}`;
}

export function intentKeyOfUpdateId(updateId: string): string {
  return KEYED_UPDATE_ID.exec(updateId)?.[1] ?? updateId;
}

/** A refusal as the caller saw it: the update failure's type, message and details. */
export interface IntentFailure {
  type: string;
  message: string;
  details?: Record<string, unknown>;
}

/** The first answer given for a key; every repeat of the key gets exactly this. */
export type IntentReply = { ok: true; value: unknown } | { ok: false; failure: IntentFailure };

export interface IntentRecord {
  key: string;
  kind: IntentKind;
  /** How it arrived: an update (answered) or a signal (fire-and-forget). */
  via: 'update' | 'signal';
  /** The door it came through, when the caller said (older histories: unknown). */
  door?: IntentDoor;
  /** Canonical JSON of the parsed arguments: the same key with other arguments is refused. */
  fingerprint: string;
  /** The milestone it moves, once known (an added milestone's id is known after its creation). */
  milestoneId?: string;
  /** The money move it carries, once started: what a new run resumes after continue-as-new. */
  move?: MoneyMove;
  /** A message send (`send_message`): what settling an in-doubt answer needs, carried across continue-as-new. */
  send?: MessageSend;
  status: 'open' | 'settled';
  reply?: IntentReply;
  /** How it ended: confirmed, already_done, declined, expired, refused, withdrawn, contract_ended, … */
  outcome?: string;
  openedAt: string;
  settledAt?: string;
}

/** Settled intents are kept at least this long, or the newest SETTLED_KEEP_COUNT of them, whichever keeps more. */
export const SETTLED_KEEP_MS = 30 * 24 * 60 * 60 * 1000;
export const SETTLED_KEEP_COUNT = 500;
/** A hard ceiling so the carried state stays far below Temporal's payload limits, whatever the traffic. */
export const SETTLED_HARD_LIMIT = 2_000;

export interface MessageSend {
  /** Our clock just before the first `POST /messages` (ISO); absent until it was sent. */
  sentAfter?: string;
  /** The HTTP status of the last in-doubt answer (a 409 settles as refused when the thread does not show it). */
  doubtStatus?: number;
  /** The message OpenTrain created for this intent (sent, or adopted from the thread). */
  messageId?: string;
}

export type IntentLookup =
  { kind: 'new' } | { kind: 'repeat'; intent: IntentRecord } | { kind: 'mismatch'; intent: IntentRecord };

/** Key order must not matter: `{a, b}` and `{b, a}` are the same request. */
export function fingerprintOf(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

export function lookupIntent(
  intents: readonly IntentRecord[],
  key: string,
  kind: IntentKind,
  fingerprint: string,
): IntentLookup {
  const intent = intents.find((i) => i.key === key);
  if (!intent) return { kind: 'new' };
  return intent.kind === kind && intent.fingerprint === fingerprint
    ? { kind: 'repeat', intent }
    : { kind: 'mismatch', intent };
}

export function mismatchFailure(intent: IntentRecord): IntentFailure {
  return {
    type: 'idempotency_key_mismatch',
    message: `idempotency key ${intent.key} was already used for another request (${intent.kind} with other arguments)`,
    details: { intentKey: intent.key, kind: intent.kind },
  };
}

export function openIntent(
  intents: IntentRecord[],
  init: Pick<IntentRecord, 'key' | 'kind' | 'via' | 'door' | 'fingerprint' | 'milestoneId'>,
  now: string,
): IntentRecord {
  const intent: IntentRecord = { ...init, status: 'open', openedAt: now };
  intents.push(intent);
  return intent;
}

export function replyTo(intent: IntentRecord, reply: IntentReply): void {
  intent.reply ??= reply;
}

export function settleIntent(intent: IntentRecord, outcome: string, now: string): void {
  if (intent.status === 'settled') return;
  intent.status = 'settled';
  intent.outcome = outcome;
  intent.settledAt = now;
}

/** The open intents that move a milestone (fund or release, also through add/retry). */
export function openMoves(intents: readonly IntentRecord[]): IntentRecord[] {
  return intents.filter((i) => i.status === 'open' && i.milestoneId !== undefined);
}

/**
 * Forget settled intents past their keeping: open ones always stay; settled ones stay while younger than
 * SETTLED_KEEP_MS or among the newest SETTLED_KEEP_COUNT, and never more than SETTLED_HARD_LIMIT.
 */
export function pruneIntents(intents: IntentRecord[], nowMs: number): void {
  const settled = intents.filter((i) => i.status === 'settled');
  if (settled.length <= SETTLED_KEEP_COUNT) return;
  const byNewest = [...settled].sort((a, b) => (a.settledAt! < b.settledAt! ? 1 : -1));
  const keep = new Set(
    byNewest
      .filter((i, rank) => rank < SETTLED_KEEP_COUNT || nowMs - Date.parse(i.settledAt!) < SETTLED_KEEP_MS)
      .slice(0, SETTLED_HARD_LIMIT),
  );
  const kept = intents.filter((i) => i.status === 'open' || keep.has(i));
  intents.splice(0, intents.length, ...kept);
}
