import { condition } from '@temporalio/workflow';

/**
 * Serialises work per key inside one workflow (money moves per milestone, contract-level requests), while work
 * under different keys runs concurrently. Deterministic: built on `condition`.
 */
export class KeyedLock {
  private readonly held = new Set<string>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    await condition(() => !this.held.has(key));
    this.held.add(key);
    try {
      return await work();
    } finally {
      this.held.delete(key);
    }
  }
}
