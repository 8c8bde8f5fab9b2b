import fc from 'fast-check';
import { exactUsdCents, MAX_USD_AMOUNT, usdAmountSchema, usdToCents } from '../../domain/money';

const wholeCents = fc.integer({ min: 1, max: MAX_USD_AMOUNT * 100 });
const anyPositiveDouble = fc.double({ min: Number.MIN_VALUE, max: MAX_USD_AMOUNT, noNaN: true });
const messages = (value: unknown) => usdAmountSchema.safeParse(value).error?.issues.map((i) => i.message);

describe('exactUsdCents: the one rule for dollar amounts', () => {
  it.each([
    [120, 12_000],
    [0.01, 1],
    [12.5, 1_250],
    [1.1, 110],
    [999_999.99, 99_999_999],
    [MAX_USD_AMOUNT, 100_000_000],
  ])('%p USD is exactly %p cents', (usd, cents) => {
    expect(exactUsdCents(usd)).toEqual({ ok: true, cents });
    expect(usdAmountSchema.parse(usd)).toBe(usd);
  });

  it.each([
    // What a float tolerance let through: sub-cent amounts that round to 0 cents, or to a wrong cent.
    [1e-9, 'must have at most 2 decimals'],
    [5e-324, 'must have at most 2 decimals'],
    [1.5e-7, 'must have at most 2 decimals'],
    [0.001, 'must have at most 2 decimals'],
    [1.005, 'must have at most 2 decimals'],
    [0.1 + 0.2, 'must have at most 2 decimals'],
    [0, 'must be greater than 0'],
    [-0, 'must be greater than 0'],
    [-5, 'must be greater than 0'],
    [MAX_USD_AMOUNT + 0.01, 'must be at most 1,000,000 USD'],
    [1e21, 'must be at most 1,000,000 USD'],
    [Number.NaN, 'must be a number of US dollars'],
    [Number.POSITIVE_INFINITY, 'must be a number of US dollars'],
  ])('refuses %p: %s', (usd, message) => {
    expect(exactUsdCents(usd)).toEqual({ ok: false, error: message });
    expect(messages(usd)).toEqual([message]);
  });

  it('refuses what is not a number with one message', () => {
    for (const value of ['12', null, undefined, {}, [1], true]) {
      expect(messages(value)).toEqual(['must be a number of US dollars']);
    }
  });

  it('accepts every whole number of cents up to the maximum, and agrees with usdToCents', () => {
    fc.assert(
      fc.property(wholeCents, (cents) => {
        const usd = cents / 100;
        expect(exactUsdCents(usd)).toEqual({ ok: true, cents });
        expect(usdToCents(usd)).toBe(cents);
      }),
      { numRuns: 2_000 },
    );
  });

  it('accepts a double exactly when it is the double of some whole number of cents', () => {
    // An independent oracle: a dollar amount with at most 2 decimals is the double nearest to cents / 100.
    const isCentsDouble = (usd: number) => Math.round(usd * 100) / 100 === usd;
    fc.assert(
      fc.property(
        fc.oneof(
          anyPositiveDouble,
          wholeCents.map((cents) => cents / 100),
        ),
        (usd) => {
          const result = exactUsdCents(usd);
          expect(result.ok).toBe(isCentsDouble(usd));
          if (result.ok) expect(result.cents).toBe(Math.round(usd * 100));
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
