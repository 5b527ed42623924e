import { closeSync, existsSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseEngine } from '../engine/types.js';
import type { Profile } from '../platform/profile.js';
import { UserError } from '../errors.js';
import { linesOf } from '../runtime/lines-of-file.js';

/** A contact row's e-mail address as masking left it in the copy. */
export interface MaskedContact {
  readonly contact_id: number;
  readonly email: string;
}

/** The copy's contacts as sanitize left them, in contact id order, read afresh on every call. */
export type MaskedContacts = () => AsyncIterable<MaskedContact>;

/** In the run's work folder, so destroy removes it with the copy. */
export function maskedContactsPath(workDir: string): string {
  return join(workDir, 'contacts-before-bill-run.jsonl');
}

/** The `contactEmails` rows of a database as it is now. */
export function contactsOf(engine: DatabaseEngine, profile: Profile): MaskedContacts {
  return () => profile.stream(engine, 'contactEmails', {});
}

/**
 * Writes every contact's masked address from the sanitized copy, before the bill run can write
 * over one: a release that overwrote a contact's address and mailed it there would otherwise match
 * its own mail. A file rather than a copy of the database, so every engine and edition keeps it (RDS
 * and Azure SQL keep no copy from before the bill run). Written whole or not at all. Returns how
 * many contacts, or undefined when the adapter reads no contacts.
 */
export async function recordMaskedContacts(engine: DatabaseEngine, profile: Profile, file: string): Promise<number | undefined> {
  rmSync(file, { force: true });
  if (!profile.has('contactEmails')) return undefined;
  const partial = `${file}.partial`;
  const fd = openSync(partial, 'w', 0o600);
  let count = 0;
  let pending: string[] = [];
  const flush = (): void => {
    const bytes = Buffer.from(pending.join(''));
    for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written);
    pending = [];
  };
  try {
    for await (const row of contactsOf(engine, profile)()) {
      pending.push(`${JSON.stringify([row.contact_id, row.email])}\n`);
      if (++count % 4096 === 0) flush();
    }
    flush();
  } catch (error) {
    closeSync(fd);
    rmSync(partial, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(partial, file);
  return count;
}

/**
 * The contacts `recordMaskedContacts` wrote. Without the file (a run whose bill run an earlier
 * version of Rehearsal drove) reading fails with what to do, rather than reading the billed copy,
 * whose contacts the bill run may have written over.
 */
export function maskedContactsIn(file: string): MaskedContacts {
  return async function* () {
    if (!existsSync(file)) {
      throw new UserError(
        `The contacts' masked addresses as sanitize left them are not in ${file}, so the mail the bill run sent cannot be matched to production's recipients. ` +
          'The bill-run stage records them before the bill run; this run was billed without it (by an earlier version of Rehearsal, or the file was removed). Run the rehearsal again from the start: `rehearse all --fresh <plan>`.',
      );
    }
    for (const line of linesOf(file)) {
      const [contact_id, email] = JSON.parse(line) as [number, string];
      yield { contact_id, email };
    }
  };
}
