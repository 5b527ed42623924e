import { addMonths, dayOf } from '../shared/dates.js';
import { DISCOUNTS, PRICE_PLANS, PROCESSORS, packageByCode } from './catalogue.js';
import type { PackageCode } from './catalogue.js';
import { card, person } from './account-helpers.js';
import { DECLINED_LAST_FOUR } from './payment-data.js';
import type { WrittenAccount } from './account-helpers.js';
import { upcomingBillDate, writeUsage } from './context.js';
import type { GenerationContext } from './context.js';
import { fakeBankAccount } from './payment-data.js';

/** One account in this many (by id) pays by a card the gateways decline, where it pays by card. */
const DECLINED_EVERY = 25;

const INTERNET_PLANS: readonly PackageCode[] = ['NET-50', 'NET-250', 'NET-1000'];
const VOICE_PLANS: readonly PackageCode[] = ['VOICE-300', 'VOICE-500', 'VOICE-1000'];
const YEARLY_PACKAGES: readonly PackageCode[] = ['IP-STATIC-Y', 'DOMAIN-Y', 'SUPPORT-Y'];

/** One family in this many accounts, on average. */
const FAMILY_EVERY = 150;

/** Writes accounts until `total` exist: mostly single accounts, now and then a parent with children. */
export function writeRandomAccounts(ctx: GenerationContext, total: number): void {
  while (ctx.writer.peekAccountId() <= total) {
    const room = total - ctx.writer.peekAccountId();
    if (room >= 3 && ctx.random.chance(1 / FAMILY_EVERY)) {
      writeFamily(ctx, ctx.random.int(2, Math.min(4, room)));
    } else {
      writeSingleAccount(ctx);
    }
  }
}

function pickBillDay(ctx: GenerationContext): number {
  const billDay = dayOf(ctx.billDate);
  if (ctx.random.chance(0.85)) return billDay;
  const other = ctx.random.int(1, 27);
  return other >= billDay ? other + 1 : other;
}

function writeSingleAccount(ctx: GenerationContext): void {
  const { random, writer } = ctx;
  const billDay = pickBillDay(ctx);
  const ownerRoll = random.next();
  const ownerId = ownerRoll < 0.8 ? 1 : ownerRoll < 0.95 ? 2 : 3;
  const payRoll = random.next();
  const payment = payRoll < 0.3 ? 'card-auto' : payRoll < 0.35 ? 'echeck-auto' : payRoll < 0.55 ? 'card' : 'none';
  const account = person(
    ctx,
    {
      ownerId,
      parentId: null,
      status: random.chance(0.03) ? 'cancelled' : 'active',
      billDay,
      autoPay: payment.endsWith('-auto'),
      taxExempt: random.chance(0.02),
      balanceCents: random.chance(0.75) ? 0 : random.int(-2500, 25000),
      notes: null,
    },
    random.chance(0.1),
  );
  if (random.chance(0.1)) writer.contact(account.id, ctx.people.contact(false));

  const nextBillDate = upcomingBillDate(ctx, billDay);
  const startDate = addMonths(nextBillDate, -random.int(1, 48));
  const newCustomer = random.chance(0.04);
  const hasInternet = random.chance(0.85);
  const hasVoice = !hasInternet || random.chance(0.6);
  const discounted = random.chance(0.08);
  const subscribe = (code: PackageCode): void => {
    const pricePlan = PRICE_PLANS.find((p) => p.packageCode === code);
    writer.userPackage(account.id, {
      packageId: packageByCode(code).id,
      pricePlanId: pricePlan && random.chance(0.15) ? pricePlan.id : undefined,
      discountId: discounted && random.chance(0.5) ? random.pick(DISCOUNTS).id : undefined,
      startDate: newCustomer ? addMonths(nextBillDate, -1) : startDate,
      nextBillDate,
      provisioningPending: newCustomer,
    });
  };

  if (hasInternet) subscribe(random.pick(INTERNET_PLANS));
  if (hasVoice) {
    const plan = random.pick(VOICE_PLANS);
    subscribe(plan);
    if (random.chance(0.15)) subscribe('VOICEMAIL');
    writeVoiceUsage(ctx, account.id, packageByCode(plan).includedMinutes);
  }
  if (random.chance(0.1)) subscribe(random.pick(YEARLY_PACKAGES));
  if (random.chance(0.05)) {
    writer.userPackage(account.id, {
      packageId: packageByCode(random.pick(YEARLY_PACKAGES)).id,
      startDate,
      nextBillDate: addMonths(nextBillDate, random.int(1, 11)),
    });
  }
  if (newCustomer) {
    subscribe('INSTALL');
    if (random.chance(0.5)) subscribe('ROUTER');
  }
  writePayment(ctx, account, payment);
}

function writeVoiceUsage(ctx: GenerationContext, accountId: number, includedMinutes: number): void {
  const share = ctx.random.next() * 1.4;
  writeUsage(ctx, accountId, Math.round(includedMinutes * share), ctx.random.int(2, 8));
}

function writePayment(ctx: GenerationContext, account: WrittenAccount, payment: string): void {
  const { random } = ctx;
  if (payment === 'none') return;
  if (payment === 'echeck-auto') {
    const bank = fakeBankAccount(random);
    ctx.writer.paymentMethod(account.id, {
      kind: 'echeck', processor: 'authorizenet', accountNumber: bank.account, routingNumber: bank.routing, holderName: account.holderName,
    });
    return;
  }
  const expiry = random.chance(0.03)
    ? addMonths(ctx.billDate, -random.int(1, 18)).slice(0, 7)
    : addMonths(ctx.billDate, random.int(1, 60)).slice(0, 7);
  // Every DECLINED_EVERY-th account's card is one the gateways decline, so every sample's bill run meets declines.
  card(ctx, account, random.pick(PROCESSORS), expiry, account.id % DECLINED_EVERY === 0 ? DECLINED_LAST_FOUR : undefined);
}

/** A business parent with sub-accounts on its bill day; half the families share a minute pool. */
function writeFamily(ctx: GenerationContext, children: number): void {
  const { random, writer } = ctx;
  const billDay = pickBillDay(ctx);
  const nextBillDate = upcomingBillDate(ctx, billDay);
  const startDate = addMonths(nextBillDate, -random.int(3, 36));
  const pooled = random.chance(0.5);
  const base = { ownerId: 2, status: 'active', billDay, taxExempt: false, balanceCents: 0, notes: null } as const;
  const parent = person(ctx, { ...base, parentId: null, autoPay: true }, false);
  card(ctx, parent, random.pick(PROCESSORS), addMonths(ctx.billDate, random.int(3, 48)).slice(0, 7));
  writer.userPackage(parent.id, { packageId: packageByCode('NET-1000').id, startDate, nextBillDate });

  const poolPlan = packageByCode('POOL-1000');
  if (pooled) {
    writer.userPackage(parent.id, { packageId: poolPlan.id, startDate, nextBillDate });
    writer.minuteBucket(parent.id, poolPlan.includedMinutes, poolPlan.overageMills, addMonths(ctx.billDate, -1));
  }
  for (let i = 0; i < children; i++) {
    const child = person(ctx, { ...base, parentId: parent.id, autoPay: false }, false);
    const plan = pooled ? packageByCode('VOICE-LINE') : packageByCode(random.pick(VOICE_PLANS));
    writer.userPackage(child.id, { packageId: plan.id, startDate, nextBillDate });
    const typical = pooled ? poolPlan.includedMinutes / children : plan.includedMinutes;
    writeUsage(ctx, child.id, Math.round(typical * random.next() * 1.5), random.int(2, 6));
  }
}
