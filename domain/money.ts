import { z } from 'zod';

/**
 * Money math in one place. Our code counts integer cents; OpenTrain and our own users speak dollars,
 * converted here and nowhere else.
 */

export const MARKETPLACE_FEE_RATE = 0.1;
/** Charged once per contract, with the hire (REFERENCE §5.5). */
export const INITIATION_FEE_CENTS = 995;

export function usdToCents(usd: number): number {
  return Math.round(usd * 100);
}

export function centsToUsd(cents: number): number {
  return Math.round(cents) / 100;
}

/** "$1234.50": amounts in the engagement's history and in what the human is told. */
export function formatCents(cents: number): string {
  return `$${centsToUsd(cents).toFixed(2)}`;
}

/**
 * [GAP] REFERENCE §5.5 does not state the rounding of the 10% fee on odd cents; we round half up
 * to the cent, the most common card-processor convention.
 */
export function marketplaceFeeCents(amountCents: number): number {
  return Math.round(amountCents * MARKETPLACE_FEE_RATE);
}

/** What confirming a hire charges: milestone 1 + 10% + the $9.95 initiation fee. */
export function hireChargeCents(amountCents: number): number {
  return amountCents + marketplaceFeeCents(amountCents) + INITIATION_FEE_CENTS;
}

/** [GAP] §5.5: we assume the 10% fee applies again to every later funded milestone, without the initiation fee. */
export function fundChargeCents(amountCents: number): number {
  return amountCents + marketplaceFeeCents(amountCents);
}

/** A positive dollar amount with at most two decimals, as users and OpenTrain write it. */
export const usdAmountSchema = z
  .number({ error: 'must be a number of US dollars' })
  .positive({ error: 'must be greater than 0' })
  .max(1_000_000, { error: 'must be at most 1,000,000 USD' })
  .refine((usd) => Math.abs(usd * 100 - Math.round(usd * 100)) < 1e-6, {
    error: 'must have at most 2 decimals',
  });
