import type { GenerationContext } from './context.js';
import { fakeCardNumber, fakeCardToken, withLastFour } from './payment-data.js';
import type { AccountRow, ContactRow } from './snapshot-writer.js';

export interface WrittenAccount {
  readonly id: number;
  readonly holderName: string;
}

/** An account with its primary contact; business accounts take a company name. */
export function person(ctx: GenerationContext, row: Omit<AccountRow, 'name'>, withNote: boolean): WrittenAccount {
  const contact: ContactRow = ctx.people.contact(true);
  const notes = row.notes ?? (withNote ? ctx.people.note(contact) : null);
  const holderName = `${contact.firstName} ${contact.lastName}`;
  const name = row.ownerId === 2 ? ctx.people.companyName() : holderName;
  const id = ctx.writer.account({ ...row, name, notes });
  ctx.writer.contact(id, contact);
  return { id, holderName };
}

/** `lastFour`: the card must end so (e.g. the digits the gateways decline); the random draws are the same either way. */
export function card(ctx: GenerationContext, account: WrittenAccount, processor: string, expiry: string, lastFour?: string): void {
  const token = fakeCardToken(ctx.random);
  const number = fakeCardNumber(ctx.random);
  ctx.writer.paymentMethod(account.id, {
    kind: 'card',
    processor,
    token,
    number: lastFour === undefined ? number : withLastFour(number, lastFour),
    expiry,
    holderName: account.holderName,
  });
}
