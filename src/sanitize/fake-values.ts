import { createHmac } from 'node:crypto';
import { Faker, en } from '@faker-js/faker';

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
  const faker = new Faker({ locale: [en] });
  faker.seed(Array.from({ length: 8 }, (_, i) => digest.readUInt32BE(i * 4)));
  const list = (make: () => string): string[] => Array.from({ length: FAKE_VALUES_PER_KIND }, make);
  return {
    first_names: list(() => faker.person.firstName()),
    last_names: list(() => faker.person.lastName()),
    streets: list(() => faker.location.streetAddress()),
    // letters and single inner dots only: always a valid local part, never something that looks like a number
    email_locals: list(() => emailLocal(faker.internet.username()) || emailLocal(faker.word.noun()) || 'customer'),
  };
}

function emailLocal(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/[^a-z.]/g, '')
    .replace(/\.+/g, '.')
    .replace(/^\.|\.$/g, '');
}
