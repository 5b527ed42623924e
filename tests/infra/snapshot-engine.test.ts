import t from 'tap';
import { sqlServerEngine } from '../../infra/database/billing-database.js';
import { UserError } from '../../src/errors.js';

t.test('the snapshot engine decides the instance engine and edition', async (t) => {
  t.equal(sqlServerEngine('sqlserver-ee', 'prod-snap'), 'sqlserver-ee', 'the edition of the snapshot is kept');
  t.throws(() => sqlServerEngine('postgres', 'prod-snap'), UserError);
  t.throws(() => sqlServerEngine('postgres', 'prod-snap'), /prod-snap is a postgres snapshot, not SQL Server.*rehearsal:snapshotIdentifier/);
});
