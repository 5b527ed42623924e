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

export function fakeCardToken(random: SeededRandom): string {
  return `tok_${random.alphanumeric(24)}`;
}

/** A routing number in the US format (nine digits) and an account number; both fake. */
export function fakeBankAccount(random: SeededRandom): { routing: string; account: string } {
  return { routing: `0${random.digits(8)}`, account: random.digits(random.int(8, 12)) };
}
