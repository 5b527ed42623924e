import type { SeededRandom } from './random.js';

/** The Luhn check digit that makes `body` + digit a valid card number. */
export function luhnCheckDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    // Doubling starts from the rightmost digit of the body, since the check digit goes after it.
    let digit = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return String((10 - (sum % 10)) % 10);
}

export function isLuhnValid(number: string): boolean {
  return /^\d{2,}$/.test(number) && luhnCheckDigit(number.slice(0, -1)) === number.slice(-1);
}

/** A fake 16-digit card number on a test-looking prefix (4000 or 5100) that passes Luhn. */
export function fakeCardNumber(random: SeededRandom): string {
  const body = random.pick(['4000', '5100']) + random.digits(11);
  return body + luhnCheckDigit(body);
}

/** The last four the sinkholes and production's capture decline by default (`declineLast4`). */
export const DECLINED_LAST_FOUR = '0002';

/**
 * The same card number ending in `lastFour` and still Luhn-valid: the three digits before the check
 * digit are set, and one digit before them chosen (no randomness used) so that the check digit is
 * the last of `lastFour`.
 */
export function withLastFour(pan: string, lastFour: string): string {
  const kept = pan.slice(0, -5);
  for (let digit = 0; digit <= 9; digit++) {
    const body = `${kept}${digit}${lastFour.slice(0, 3)}`;
    if (luhnCheckDigit(body) === lastFour[3]) return `${body}${lastFour[3]}`;
  }
  throw new Error(`no card number ends ${lastFour}`);
}

export function fakeCardToken(random: SeededRandom): string {
  return `tok_${random.alphanumeric(24)}`;
}

/** A routing number in the US format (nine digits) and an account number; both fake. */
export function fakeBankAccount(random: SeededRandom): { routing: string; account: string } {
  return { routing: `0${random.digits(8)}`, account: random.digits(random.int(8, 12)) };
}
