import t from 'tap';
import { sql, ident } from '../../src/sql/fragment.js';
import { tsqlDialect } from '../../src/sql/tsql.js';
import { findNonTsql } from '../../src/sql/tsql-lint.js';
import { MARKER_TABLE, assertRunMarker, writeRunMarker } from '../../src/run/marker.js';
import { tableColumnsQuery } from '../../src/engine/mssql/catalog-sql.js';
import { RecordingEngine } from './recording-engine.js';
import {
  currentDatabaseQuery,
  databaseIdQuery,
  defaultPathsQuery,
  dropDatabaseStatements,
  fileListQuery,
  rdsRestoreStatement,
  rdsTaskStatusStatement,
  restoreStatement,
} from '../../src/engine/mssql/restore-sql.js';
import { planFileMoves } from '../../src/engine/mssql/restore-native.js';
import { rehearsalDatabaseName } from '../../src/engine/mssql/database-name.js';
import { goldenMismatch, tsqlParseError, type GoldenStatement } from './golden.js';

/** The example plan's run, restored from the backup production took before its bill run. */
const RUN_ID = '20261101-015500-a1b2c3';
const DATABASE = rehearsalDatabaseName(RUN_ID);
const BACKUP = 'D:\\Backups\\EngageIP\\billing_2026-11-01_0155.bak';
const S3_ARN = 'arn:aws:s3:::northwind-billing-backups/2026-11-01/billing_0155.bak';

const RESTORE_UNPARSED = 'node-sql-parser 5.4 transactsql has no RESTORE statement';

/** The statements writeRunMarker and readRunMarker send, captured from the lead's marker module. */
async function markerStatements(): Promise<GoldenStatement[]> {
  const engine = new RecordingEngine(
    () => [{ run_id: RUN_ID, created_at: '2026-11-01T01:55:00.000Z', source: BACKUP }],
    [{ name: MARKER_TABLE, columns: [] }],
  );
  await writeRunMarker(engine, { runId: RUN_ID, createdAt: '2026-11-01T01:55:00.000Z', source: BACKUP });
  await assertRunMarker(engine, RUN_ID, 'sanitize');
  const names = ['create marker table', 'insert marker', 'read marker'];
  return engine.statements.map((fragment, i) => ({ name: names[i] ?? `statement ${i + 1}`, fragment }));
}

t.test('golden T-SQL of the run marker, the table listing and the restore variants', async (t) => {
  const groups: Record<string, GoldenStatement[]> = {
    'marker.sql': await markerStatements(),
    'catalog.sql': [{ name: 'table columns', fragment: tableColumnsQuery() }],
    'restore-native.sql': [
      { name: 'database exists?', fragment: databaseIdQuery(DATABASE) },
      { name: 'files in the backup', fragment: fileListQuery(BACKUP), unparsable: RESTORE_UNPARSED },
      { name: 'default folders', fragment: defaultPathsQuery() },
      {
        name: 'restore with move',
        fragment: restoreStatement(
          DATABASE,
          BACKUP,
          planFileMoves(DATABASE, [{ LogicalName: 'EngageIP', Type: 'D' }, { LogicalName: 'EngageIP_Archive', Type: 'D' }, { LogicalName: 'EngageIP_log', Type: 'L' }], {
            data: 'D:\\MSSQL\\Data\\',
            log: 'L:\\MSSQL\\Log',
          }),
        ),
        unparsable: RESTORE_UNPARSED,
      },
    ],
    'restore-rds.sql': [
      { name: 'database exists?', fragment: databaseIdQuery(DATABASE) },
      { name: 'start restore task', fragment: rdsRestoreStatement(DATABASE, S3_ARN) },
      { name: 'poll task status', fragment: rdsTaskStatusStatement(DATABASE) },
    ],
    'restore-snapshot.sql': [{ name: 'connected database', fragment: currentDatabaseQuery() }],
    'destroy.sql': dropDatabaseStatements(DATABASE).map((fragment, i) => ({
      name: ['cut other sessions off', 'drop the copy'][i] ?? `statement ${i + 1}`,
      fragment,
      unparsable: i === 0 ? 'node-sql-parser 5.4 transactsql has no ALTER DATABASE ... SET' : 'node-sql-parser 5.4 transactsql has no DROP DATABASE',
    })),
    'dialect.sql': [
      { name: 'selectFirst', fragment: tsqlDialect.selectFirst(10, sql`${ident('account_number')}, ${ident('balance')}`, sql`FROM ${ident('accounts')} ORDER BY ${ident('balance')} DESC`) },
      {
        name: 'orderedConcat',
        fragment: sql`SELECT ${ident('account_id')}, ${tsqlDialect.orderedConcat(sql`${ident('package_id')}`, sql`${ident('package_id')}`)} AS ${ident('packages')} FROM ${ident('user_packages')} GROUP BY ${ident('account_id')}`,
        unparsable: 'node-sql-parser 5.4 transactsql does not know STRING_AGG ... WITHIN GROUP',
      },
    ],
  };
  for (const [file, statements] of Object.entries(groups)) {
    const mismatch = goldenMismatch(file, statements);
    t.equal(mismatch?.actual, mismatch?.expected, `${file} matches tests/golden/tsql/${file}`);
    for (const { name, fragment, unparsable } of statements) {
      const { text } = tsqlDialect.render(fragment);
      t.same(findNonTsql(text), [], `${file} ${name}: no constructs from other dialects`);
      const parseError = tsqlParseError(text);
      if (unparsable === undefined) t.equal(parseError, undefined, `${file} ${name}: parses as T-SQL`);
      else t.not(parseError, undefined, `${file} ${name}: still beyond node-sql-parser (${unparsable}); check it by hand or drop the exception`);
    }
  }
});
