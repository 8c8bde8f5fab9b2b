import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { ID_RANDOM_BYTES } from './gaps';
import { emptyState, sandboxStateSchema, type SandboxState } from './model';

/**
 * The in-memory store, optionally mirrored to a JSON file: loaded at start, rewritten (atomically, via a temp
 * file and rename) whenever it changed, so a restarted sandbox keeps accounts, approvals and events.
 */
export class SandboxStore {
  private lastWritten: string | undefined;

  private constructor(
    readonly state: SandboxState,
    private readonly stateFile: string | undefined,
  ) {}

  static open(stateFile?: string): SandboxStore {
    if (!stateFile || !existsSync(stateFile)) return new SandboxStore(emptyState(), stateFile);
    const raw = readFileSync(stateFile, 'utf8');
    const parsed = sandboxStateSchema.safeParse(JSON.parse(raw));
    if (!parsed.success) {
      throw new Error(`Sandbox state file ${stateFile} is not a sandbox state: ${parsed.error.message}`);
    }
    const store = new SandboxStore(parsed.data, stateFile);
    store.lastWritten = raw;
    return store;
  }

  /** Writes the state to the state file if it changed since the last write; a no-op without a file. */
  flush(): void {
    if (!this.stateFile) return;
    const json = JSON.stringify(this.state);
    if (json === this.lastWritten) return;
    const tmp = `${this.stateFile}.tmp`;
    writeFileSync(tmp, json);
    renameSync(tmp, this.stateFile);
    this.lastWritten = json;
  }

  /** Opaque ids: a resource prefix and random hex (see ID_RANDOM_BYTES). */
  newId(prefix: string): string {
    return `${prefix}_${randomBytes(ID_RANDOM_BYTES).toString('hex')}`;
  }

  nextEventId(): string {
    this.state.lastEventId += 1;
    return String(this.state.lastEventId);
  }

  nextInvoiceNumber(): number {
    this.state.lastInvoiceNumber += 1;
    return this.state.lastInvoiceNumber;
  }
}
