import { createHmac } from 'node:crypto';
// The English-only entry: the package's main entry loads every locale, a fifth of a second at
// every start of every process that sanitizes.
import { faker } from '@faker-js/faker/locale/en';

/** Entries per kind: a keyed hash of the value picks one; large enough that masked names stay varied. */
export const FAKE_VALUES_PER_KIND = 4096;

export const FAKE_KINDS = ['first_names', 'last_names', 'streets', 'email_locals'] as const;
export type FakeKind = (typeof FAKE_KINDS)[number];

/** Product-made tables, prefixed like the run marker so rule checks and the proof leave them alone. */
export const FAKE_TABLE_PREFIX = '_rehearsal_fake_';

export function fakeTableName(kind: FakeKind): string {
  return `${FAKE_TABLE_PREFIX}${kind}`;
}

export type FakeValues = Readonly<Record<FakeKind, readonly string[]>>;

/**
 * The run's lists of fake values, made once by faker seeded from the per-run secret: another
 * secret gives other lists. Nothing in them comes from the database.
 */
export function makeFakeValues(secret: Buffer): FakeValues {
  const digest = createHmac('sha256', secret).update('rehearsal fake values').digest();
  faker.seed(Array.from({ length: 8 }, (_, i) => digest.readUInt32BE(i * 4)));
  const list = (make: () => string): string[] => Array.from({ length: FAKE_VALUES_PER_KIND }, make);
  // Drawn from faker's word lists directly rather than through its templates (lastName,
  // streetAddress, username): the templates cost half a second of every sanitize.
  const words = faker.definitions;
  const firstNames = [...new Set([...(words.person.first_name.generic ?? []), ...(words.person.first_name.female ?? []), ...(words.person.first_name.male ?? [])])];
  const surnames = words.person.last_name.generic ?? [];
  const first = (): string => faker.helpers.arrayElement(firstNames);
  const surname = (): string => faker.helpers.arrayElement(surnames);
  // one in twenty double-barrelled, as faker's English surname pattern has it
  const last = (): string => (faker.datatype.boolean(0.05) ? `${surname()}-${surname()}` : surname());
  return {
    first_names: list(first),
    last_names: list(last),
    streets: list(() => `${faker.number.int({ min: 1, max: 99_999 })} ${surname()} ${faker.helpers.arrayElement(words.location.street_suffix)}`),
    // letters and single inner dots only: always a valid local part, never something that looks like a number
    email_locals: list(() => emailLocal(`${first()}.${surname()}`) || 'customer'),
  };
}

function emailLocal(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/[^a-z.]/g, '')
    .replace(/\.+/g, '.')
    .replace(/^\.|\.$/g, '');
}
