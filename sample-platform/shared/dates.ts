/** Calendar dates as ISO 'YYYY-MM-DD' strings, the form the platform stores them in. */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface DateParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export function parseIsoDate(value: string): DateParts | undefined {
  const match = ISO_DATE.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    return undefined;
  }
  return { year, month, day };
}

function partsOf(value: string): DateParts {
  const parts = parseIsoDate(value);
  if (!parts) throw new Error(`not an ISO date: ${value}`);
  return parts;
}

export function formatIsoDate(year: number, month: number, day: number): string {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.toISOString().slice(0, 10);
}

/** Bill days never pass the 28th, so moving by whole months keeps the day. */
export function addMonths(value: string, months: number): string {
  const { year, month, day } = partsOf(value);
  return formatIsoDate(year, month + months, day);
}

export function addDays(value: string, days: number): string {
  const { year, month, day } = partsOf(value);
  return formatIsoDate(year, month, day + days);
}

/** 'YYYY-MM' of a date, the form card expiries are kept in. */
export function monthOf(value: string): string {
  return value.slice(0, 7);
}

/** The first date strictly after `after` that falls on day-of-month `day` (1..28). */
export function nextDateOnDay(after: string, day: number): string {
  const { year, month, day: afterDay } = partsOf(after);
  return day > afterDay ? formatIsoDate(year, month, day) : formatIsoDate(year, month + 1, day);
}

export function dayOf(value: string): number {
  return partsOf(value).day;
}
