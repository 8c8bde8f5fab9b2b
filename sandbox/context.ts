import type { SandboxClock } from './clock';
import type { EventLog } from './events';
import type { CreditsLedger } from './ledger';
import type { SandboxStore } from './state';

/** What every route and service of one running sandbox shares. */
export interface SandboxContext {
  readonly store: SandboxStore;
  readonly clock: SandboxClock;
  readonly events: EventLog;
  readonly ledger: CreditsLedger;
  readonly approvalTtlMs: number;
  /** The origin the sandbox listens on (known once it listens); approval, claim and billing links use it. */
  origin(): string;
}
