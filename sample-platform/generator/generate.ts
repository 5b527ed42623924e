import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { UserError } from '../../src/errors.js';
import { parseIsoDate } from '../shared/dates.js';
import type { GenerationContext } from './context.js';
import { PeopleFaker } from './people.js';
import { SeededRandom } from './random.js';
import { writeRandomAccounts } from './random-accounts.js';
import { writeReferenceData } from './reference-data.js';
import { SnapshotWriter } from './snapshot-writer.js';
import { SPECIAL_ACCOUNT_COUNT, writeSpecialAccounts } from './special-accounts.js';

/**
 * Bumped whenever the same options would produce different data, so cached samples are remade.
 * 4: production's bill run logs an `Invoices`/`Render` warning per mailed eCheck auto-pay invoice.
 * 5: ACC-000011's routing number ends 0002; production's capture no longer declines eCheck payments by it.
 * 6: production's ledger records each charge's request form and each mail's amount (the data is unchanged).
 * 7: every 25th random account that pays by card has a card ending 0002, which the gateways decline.
 * 8: production's charges carry an `Idempotency-Key`, and its ledger records each charge's headers (the data is unchanged).
 */
export const GENERATOR_VERSION = 8;

export interface SnapshotOptions {
  readonly accounts: number;
  readonly seed: number;
  /** ISO date of the bill run the snapshot is taken just before. */
  readonly billDate: string;
  /** Path of the SQLite file to create; it must not exist. */
  readonly out: string;
}

export const SCHEMA_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'schema', 'schema.sql');

export function validateSnapshotOptions(options: SnapshotOptions): void {
  if (!Number.isSafeInteger(options.accounts) || options.accounts < SPECIAL_ACCOUNT_COUNT) {
    throw new UserError(
      `The sample needs at least ${SPECIAL_ACCOUNT_COUNT} accounts (the fixed ACC-000001..ACC-${String(SPECIAL_ACCOUNT_COUNT).padStart(6, '0')} ` +
        `the example plan names); got ${options.accounts}. Pass a whole number of ${SPECIAL_ACCOUNT_COUNT} or more.`,
    );
  }
  if (!Number.isSafeInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff) {
    throw new UserError(`The seed must be a whole number from 0 to 4294967295; got ${options.seed}.`);
  }
  const date = parseIsoDate(options.billDate);
  if (!date || date.day > 28) {
    throw new UserError(
      `The bill date must be a real date written YYYY-MM-DD on day 1 to 28 (bill days never pass the 28th); got "${options.billDate}".`,
    );
  }
}

/**
 * Creates a synthetic pre-bill-run snapshot of the sample platform. The same options always give
 * the same data. The file ends in rollback-journal mode so a plain copy is a complete database.
 */
export function generateSnapshot(options: SnapshotOptions): void {
  validateSnapshotOptions(options);
  if (existsSync(options.out)) {
    throw new UserError(`Refusing to overwrite ${options.out}: the generator only creates new files. Remove it or choose another path.`);
  }
  const db = new Database(options.out);
  try {
    // Nothing else reads the file while it is made, and a crash leaves a file nobody should use anyway.
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.exec(readFileSync(SCHEMA_PATH, 'utf8'));
    const random = new SeededRandom(options.seed);
    const ctx: GenerationContext = {
      writer: new SnapshotWriter(db),
      random,
      people: new PeopleFaker(options.seed, random),
      billDate: options.billDate,
    };
    db.transaction(() => {
      writeReferenceData(db, random, ctx.people, options.billDate);
      writeSpecialAccounts(ctx);
      writeRandomAccounts(ctx, options.accounts);
    })();
    db.pragma('journal_mode = DELETE');
    db.pragma('synchronous = FULL');
  } finally {
    db.close();
  }
}
