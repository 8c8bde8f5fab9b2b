/**
 * Remembers recent `X-OpenTrain-Delivery` ids (retries reuse them). Bounded and in memory on purpose: `/updates`
 * is the ledger, so forgetting an old id after a restart costs one extra doorbell ring, never a wrong action.
 */
export class DeliveryDedupe {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  /** True the first time an id is offered, false for every repeat. */
  firstTime(deliveryId: string): boolean {
    if (this.seen.has(deliveryId)) return false;
    this.seen.add(deliveryId);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return true;
  }
}
