/**
 * The sandbox's notion of "now": wall time plus an offset that tests move forward (POST /__sandbox/clock), so
 * a 72 h approval can expire without waiting. The offset lives in the persisted state, so a restart keeps it.
 */
export class SandboxClock {
  constructor(private readonly holder: { clockOffsetMs: number }) {}

  nowMs(): number {
    return Date.now() + this.holder.clockOffsetMs;
  }

  nowIso(): string {
    return new Date(this.nowMs()).toISOString();
  }

  advance(ms: number): void {
    this.holder.clockOffsetMs += ms;
  }
}
