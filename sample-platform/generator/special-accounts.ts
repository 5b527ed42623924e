import { addMonths, dayOf } from '../shared/dates.js';
import { DISCOUNTS, PRICE_PLANS, packageByCode } from './catalogue.js';
import type { PackageCode } from './catalogue.js';
import { upcomingBillDate, writeUsage } from './context.js';
import type { GenerationContext } from './context.js';
import { card, person } from './account-helpers.js';
import { fakeBankAccount } from './payment-data.js';
import type { AccountRow } from './snapshot-writer.js';

/** How many fixed accounts lead the snapshot; the example rehearsal plan names them. */
export const SPECIAL_ACCOUNT_COUNT = 12;

/** Minutes each child of ACC-000002 uses: each stays under the 1000-minute pool, together they exceed it. */
export const POOL_CHILD_MINUTES = [231, 247, 263, 199, 177] as const;
export const POOL_INCLUDED_MINUTES = 1000;

function discountId(percent: number): number {
  const found = DISCOUNTS.find((d) => d.percent === percent);
  if (!found) throw new Error(`no ${percent}% discount in the catalogue`);
  return found.id;
}

function pricePlanId(code: PackageCode): number {
  const found = PRICE_PLANS.find((p) => p.packageCode === code);
  if (!found) throw new Error(`no price plan for ${code}`);
  return found.id;
}

/**
 * Writes ACC-000001..ACC-000012, each built to exercise one rule of the bill run. Their ids are
 * their numbers, so they must be written first.
 */
export function writeSpecialAccounts(ctx: GenerationContext): void {
  const { writer, billDate } = ctx;
  const day = dayOf(billDate);
  const since = addMonths(billDate, -14);
  const base: Omit<AccountRow, 'name'> = {
    ownerId: 1, parentId: null, status: 'active', billDay: day, autoPay: false, taxExempt: false, balanceCents: 0, notes: null,
  };
  const due = { startDate: since, nextBillDate: billDate };

  // ACC-000001: ten packages of every period, one discount, one price plan, overage on a half cent.
  const one = person(ctx, { ...base, ownerId: 2, autoPay: true }, true);
  for (const [code, extra] of [
    ['VOICE-500', { discountId: discountId(10) }],
    ['NET-250', { pricePlanId: pricePlanId('NET-250') }],
    ['VOICE-LINE', { quantity: 2 }],
    ['VOICEMAIL', {}],
    ['NET-50', {}],
    ['IP-STATIC-Y', {}],
    ['DOMAIN-Y', {}],
    ['SUPPORT-Y', {}],
    ['INSTALL', { provisioningPending: true, startDate: addMonths(billDate, -1) }],
    ['ROUTER', { startDate: addMonths(billDate, -1) }],
  ] as const) {
    writer.userPackage(one.id, { ...due, packageId: packageByCode(code).id, ...extra });
  }
  writeUsage(ctx, one.id, 537, 6);
  card(ctx, one, 'authorizenet', '2029-04');

  // ACC-000002 with children ACC-000003..7 sharing a 1000-minute pool.
  const parent = person(ctx, { ...base, ownerId: 2, autoPay: true }, true);
  writer.userPackage(parent.id, { ...due, packageId: packageByCode('POOL-1000').id });
  writer.minuteBucket(parent.id, POOL_INCLUDED_MINUTES, packageByCode('POOL-1000').overageMills, addMonths(billDate, -1));
  card(ctx, parent, 'paypal', '2028-11');
  for (const minutes of POOL_CHILD_MINUTES) {
    const child = person(ctx, { ...base, ownerId: 2, parentId: parent.id }, false);
    writer.userPackage(child.id, { ...due, packageId: packageByCode('VOICE-LINE').id });
    writeUsage(ctx, child.id, minutes, 4);
  }

  // ACC-000008: auto-pay on a card that expired before the bill date's month.
  const expired = person(ctx, { ...base, autoPay: true }, true);
  writer.userPackage(expired.id, { ...due, packageId: packageByCode('NET-50').id });
  card(ctx, expired, 'stripe', addMonths(billDate, -2).slice(0, 7));

  // ACC-000009: cancelled, yet its packages are still active and due: it must not be billed.
  const cancelled = person(ctx, { ...base, status: 'cancelled', notes: 'Cancelled at customer request, moving abroad.' }, false);
  writer.userPackage(cancelled.id, { ...due, packageId: packageByCode('NET-250').id });
  writer.userPackage(cancelled.id, { ...due, packageId: packageByCode('VOICE-300').id });
  writeUsage(ctx, cancelled.id, 412, 3);

  // ACC-000010: billed on another day of the month.
  const otherDayNumber = day === 15 ? 16 : 15;
  const otherDay = person(ctx, { ...base, billDay: otherDayNumber }, true);
  writer.userPackage(otherDay.id, {
    startDate: since, nextBillDate: upcomingBillDate(ctx, otherDayNumber), packageId: packageByCode('NET-50').id,
  });

  // ACC-000011: auto-pay by eCheck, its routing number ending in the decline card's digits (0002):
  // sanitize masks routing numbers, so a sinkhole that declined bank payments by these digits
  // would answer production and the rehearsal differently (a wrong NO-GO, first seen at 1M).
  const echeck = person(ctx, { ...base, autoPay: true }, true);
  writer.userPackage(echeck.id, { ...due, packageId: packageByCode('NET-1000').id });
  const bank = fakeBankAccount(ctx.random);
  writer.paymentMethod(echeck.id, {
    kind: 'echeck', processor: 'authorizenet', accountNumber: bank.account, routingNumber: `${bank.routing.slice(0, -4)}0002`, holderName: echeck.holderName,
  });

  // ACC-000012: 50% off 59.97 leaves half a cent to round.
  const half = person(ctx, { ...base, autoPay: true }, true);
  writer.userPackage(half.id, { ...due, packageId: packageByCode('NET-250').id, discountId: discountId(50) });
  card(ctx, half, 'stripe', '2030-01');
}
