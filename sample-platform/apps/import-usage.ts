/**
 * The sample platform's regular data import: usage records from a CSV file
 * (`account_number,usage_date,minutes`, header first) into `usage_records`, unrated, as a
 * mediation feed delivers them. `--file <csv>`; prints one JSON line `{ "imported", "rejected" }`;
 * exit 1 when the file cannot be read or names no row. Candidate switch `import-skips-last-row`:
 * the last row is silently dropped.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../../src/errors.js';
import { appOptions, runApp } from './options.js';

await runApp(() => {
  const fileIndex = process.argv.indexOf('--file');
  const file = fileIndex > 0 ? process.argv[fileIndex + 1] : undefined;
  if (file === undefined) throw new UserError('Give the usage file: --file <csv>.');
  const { db, faults } = appOptions();
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).slice(1).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new UserError(`${file} has no rows after its header.`, 1);
  const rows = faults.has('import-skips-last-row') ? lines.slice(0, -1) : lines;
  const accountId = db.prepare('SELECT id FROM accounts WHERE account_number = ?');
  const insert = db.prepare('INSERT INTO usage_records (account_id, usage_date, minutes, rated) VALUES (?, ?, ?, 0)');
  let imported = 0;
  let rejected = 0;
  db.transaction(() => {
    for (const line of rows) {
      const [account = '', date = '', minutes = ''] = line.split(',').map((v) => v.trim());
      const id = (accountId.get(account) as { id: number } | undefined)?.id;
      if (id === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d+$/.test(minutes)) {
        rejected++;
        continue;
      }
      insert.run(id, date, Number(minutes));
      imported++;
    }
  })();
  db.close();
  process.stdout.write(`${JSON.stringify({ imported, rejected })}\n`);
});
