import { z } from 'zod';

/**
 * Money math in one place. Our code counts integer cents; OpenTrain and our own users speak dollars,
 * converted here and nowhere else.
 */

export const MARKETPLACE_FEE_RATE = 0.1;
/** Charged once per contract, with the hire. */
export const INITIATION_FEE_CENTS = 995;
/** The largest amount any door accepts, for one milestone or a budget. */
export const MAX_USD_AMOUNT = 1_000_000;

/** Dollars to cents for amounts already known to be exact (validated input, OpenTrain's own figures). */
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
 * [GAP] OpenTrain's docs do not state the rounding of the 10% fee on odd cents; we round half up to the cent, the
 * most common card-processor convention.
 */
export function marketplaceFeeCents(amountCents: number): number {
  return Math.round(amountCents * MARKETPLACE_FEE_RATE);
}

/** What confirming a hire charges: milestone 1 + 10% + the $9.95 initiation fee. */
export function hireChargeCents(amountCents: number): number {
  return amountCents + marketplaceFeeCents(amountCents) + INITIATION_FEE_CENTS;
}

/** [GAP] We assume the 10% fee applies again to every later funded milestone, without the initiation fee. */
export function fundChargeCents(amountCents: number): number {
  return amountCents + marketplaceFeeCents(amountCents);
}

export type ExactCents = { ok: true; cents: number } | { ok: false; error: string };

/**
 * The one rule for a dollar amount at every door: a finite number greater than 0, at most MAX_USD_AMOUNT, with
 * at most two decimals — decided on the number's shortest decimal form (`String(n)`, the digits JSON and the
 * user wrote), never with a float tolerance, so 1e-9 or 5e-324 cannot pass as 0 cents. Returns the exact cents.
 */
export function exactUsdCents(usd: number): ExactCents {
  if (!Number.isFinite(usd)) return { ok: false, error: 'must be a number of US dollars' };
  if (usd <= 0) return { ok: false, error: 'must be greater than 0' };
  if (usd > MAX_USD_AMOUNT) return { ok: false, error: 'must be at most 1,000,000 USD' };
  // Below 1e-6 `String` switches to exponent notation ("1.5e-7"): the value is mantissa × 10^exponent, so its
  // decimals are the mantissa's fraction digits minus the exponent. (Above 1e21 it would too, but those are
  // already over the maximum.)
  const [mantissa = '', exponent = '0'] = String(usd).split('e');
  const [whole = '', fraction = ''] = mantissa.split('.');
  const decimals = fraction.length - Number(exponent);
  if (decimals > 2) return { ok: false, error: 'must have at most 2 decimals' };
  // At most 1e8 cents here, so the integer arithmetic is exact.
  return { ok: true, cents: Number(`${whole}${fraction}`) * 10 ** (2 - decimals) };
}

/** A dollar amount as users and OpenTrain write it; `exactUsdCents` decides, the bounds are also documented. */
export const usdAmountSchema = z
  .number({ error: 'must be a number of US dollars' })
  .check((ctx) => {
    const exact = exactUsdCents(ctx.value);
    if (!exact.ok) ctx.issues.push({ code: 'custom', message: exact.error, input: ctx.value });
  })
  .meta({
    exclusiveMinimum: 0,
    maximum: MAX_USD_AMOUNT,
    description: 'US dollars: greater than 0, at most 1,000,000, at most 2 decimals',
  });
