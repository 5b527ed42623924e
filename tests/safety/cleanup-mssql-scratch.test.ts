import t from 'tap';
import { withScratchDatabase } from '../helpers/mssql-scratch.js';
import { FakeMssql } from '../mssql/fake-mssql.js';

const URL = 'Server=sql.rehearsal.example,1433;User Id=rehearsal;Password=x;TrustServerCertificate=true';

/** A server whose SINGLE_USER is refused (another session holds the database, or the login may not alter it). */
function serverRefusingSingleUser(): FakeMssql {
  const fake = new FakeMssql();
  fake.respond = (statement) => (statement.text.includes('SET SINGLE_USER') ? new Error('ALTER DATABASE failed: the database is in use') : {});
  return fake;
}

t.test('the scratch database is dropped even when SINGLE_USER fails', async (t) => {
  const fake = serverRefusingSingleUser();
  await t.rejects(withScratchDatabase(URL, async () => undefined, { createPool: fake.createPool }), /the database is in use/, 'the SINGLE_USER failure is not hidden');
  const sent = fake.sent.map((s) => s.text);
  const created = sent.find((s) => s.startsWith('CREATE DATABASE'));
  t.ok(created, 'a scratch database was created');
  const name = created!.slice('CREATE DATABASE '.length);
  t.ok(sent.includes(`DROP DATABASE ${name}`), `DROP DATABASE ${name} was sent`);
  t.equal(fake.events.filter((e) => e === 'close').length, fake.events.filter((e) => e === 'connect').length, 'every connection closed');
});

t.test('the scratch database is dropped when the work fails, and the work failure is what is reported', async (t) => {
  const fake = new FakeMssql();
  await t.rejects(
    withScratchDatabase(URL, async () => {
      throw new Error('the exercise failed');
    }, { createPool: fake.createPool }),
    /the exercise failed/,
  );
  t.ok(fake.sent.some((s) => s.text.startsWith('DROP DATABASE')), 'DROP DATABASE was sent');
});
