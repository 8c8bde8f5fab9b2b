import type { SandboxClock } from './clock';
import { CAPTURE_SIGN, FUNDING_PREFERENCE } from './gaps';
import type { Account, LedgerEntry } from './model';
import type { SandboxStore } from './state';

export type FundingSource = 'credits' | 'card';

interface Links {
  proposalId: string | null;
  contractId: string | null;
  milestoneId: string | null;
}

/**
 * The account's credit balance and its ledger (docs/opentrain-api.md#credits-and-pending-payments): HOLD moves
 * available → reserved when escrow is paid from credits, CAPTURE takes reserved money out when a milestone is
 * released, HOLD_RELEASE gives it back.
 */
export class CreditsLedger {
  constructor(
    private readonly store: SandboxStore,
    private readonly clock: SandboxClock,
  ) {}

  /** How a charge would be paid, or null when neither a card nor the credit balance covers it. */
  fundingSource(account: Account, chargeCents: number): FundingSource | null {
    const creditsCover = account.availableCents >= chargeCents;
    if (FUNDING_PREFERENCE === 'credits_first') {
      if (creditsCover) return 'credits';
      return account.cardOnFile ? 'card' : null;
    }
    if (account.cardOnFile) return 'card';
    return creditsCover ? 'credits' : null;
  }

  hold(account: Account, chargeCents: number, links: Links): LedgerEntry {
    account.availableCents -= chargeCents;
    account.reservedCents += chargeCents;
    return this.append(account, 'HOLD', -chargeCents, null, links);
  }

  capture(account: Account, holdEntryId: string, links: Links): LedgerEntry {
    const held = this.heldCents(holdEntryId);
    account.reservedCents -= held;
    return this.append(account, 'CAPTURE', CAPTURE_SIGN * held, holdEntryId, links);
  }

  release(account: Account, holdEntryId: string, links: Links, note: string): LedgerEntry {
    const held = this.heldCents(holdEntryId);
    account.reservedCents -= held;
    account.availableCents += held;
    return this.append(account, 'HOLD_RELEASE', held, holdEntryId, links, note);
  }

  /** Newest first. */
  recent(accountId: string, count: number): LedgerEntry[] {
    return this.store.state.ledger
      .filter((entry) => entry.accountId === accountId)
      .slice(-count)
      .reverse();
  }

  private heldCents(holdEntryId: string): number {
    const hold = this.store.state.ledger.find((entry) => entry.id === holdEntryId && entry.type === 'HOLD');
    if (!hold) throw new Error(`Ledger has no HOLD ${holdEntryId}`);
    return -hold.amountCents;
  }

  private append(
    account: Account,
    type: LedgerEntry['type'],
    amountCents: number,
    holdEntryId: string | null,
    links: Links,
    note: string | null = null,
  ): LedgerEntry {
    const entry: LedgerEntry = {
      id: this.store.newId('led'),
      accountId: account.id,
      type,
      amountCents,
      createdAt: this.clock.nowIso(),
      holdEntryId,
      jobofferId: links.proposalId,
      contractId: links.contractId,
      milestoneId: links.milestoneId,
      topUpId: null,
      note,
    };
    this.store.state.ledger.push(entry);
    return entry;
  }
}
