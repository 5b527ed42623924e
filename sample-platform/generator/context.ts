import { addDays, addMonths, dayOf, nextDateOnDay } from '../shared/dates.js';
import type { PeopleFaker } from './people.js';
import type { SeededRandom } from './random.js';
import type { SnapshotWriter } from './snapshot-writer.js';

/** What account builders share: where rows go, where randomness comes from, the bill date. */
export interface GenerationContext {
  readonly writer: SnapshotWriter;
  readonly random: SeededRandom;
  readonly people: PeopleFaker;
  readonly billDate: string;
}

/** The next bill date of an account billed on `billDay`, as it stands just before the bill run. */
export function upcomingBillDate(ctx: GenerationContext, billDay: number): string {
  return billDay === dayOf(ctx.billDate) ? ctx.billDate : nextDateOnDay(ctx.billDate, billDay);
}

/**
 * Usage records for the month before the bill date adding up to exactly `totalMinutes`,
 * split over `records` calls on random days.
 */
export function writeUsage(ctx: GenerationContext, accountId: number, totalMinutes: number, records: number): void {
  const periodStart = addMonths(ctx.billDate, -1);
  let remaining = totalMinutes;
  for (let i = records; i > 0; i--) {
    const minutes = i === 1 ? remaining : ctx.random.int(0, Math.floor((2 * remaining) / i));
    remaining -= minutes;
    ctx.writer.usage(accountId, addDays(periodStart, ctx.random.int(0, 27)), minutes);
  }
}
