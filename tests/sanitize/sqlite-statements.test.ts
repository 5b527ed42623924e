import t from 'tap';
import Database from 'better-sqlite3';
import { splitSqliteStatements } from '../../src/sql/sqlite-statements.js';

t.test('statements are split at semicolons outside strings, identifiers, comments and trigger bodies, each with its line and column', async (t) => {
  const script = [
    "-- a comment; with a semicolon",
    "UPDATE t SET a = 'x;y' /* ; */, \"b;c\" = 1;  SELECT [d;e], `f;g` FROM t;",
    '',
    'CREATE TEMP TRIGGER tr AFTER UPDATE ON t WHEN (CASE WHEN 1 THEN 1 END)',
    'BEGIN',
    '  SELECT CASE new.a WHEN 1 THEN 2 ELSE 3 END;',
    '  UPDATE t SET a = 1;',
    'END;',
    '   ;;',
    '  DELETE FROM t',
  ].join('\n');
  const statements = splitSqliteStatements(script);
  t.same(
    statements.map((s) => [s.line, s.column, s.text.split(/\s+/)[0]]),
    [
      [2, 1, 'UPDATE'],
      [2, 45, 'SELECT'],
      [4, 1, 'CREATE'],
      [10, 3, 'DELETE'],
    ],
  );
  t.match(statements[2]?.text, /END;$/, 'the trigger body stays whole, up to its own semicolon');
  t.equal(statements[3]?.text, 'DELETE FROM t', 'the last statement needs no semicolon');

  const db = new Database(':memory:');
  t.teardown(() => db.close());
  db.exec('CREATE TABLE t (a, "b;c", [d;e], `f;g`)');
  for (const statement of statements) t.doesNotThrow(() => db.prepare(statement.text), `SQLite takes ${statement.text.slice(0, 20)} as one statement`);
});

t.test('a string or quoted identifier left open is located', async (t) => {
  t.throws(() => splitSqliteStatements("SELECT 1;\n  SELECT 'open"), { name: 'SqliteScanError', line: 2, column: 10 });
  t.throws(() => splitSqliteStatements('SELECT "open'), { name: 'SqliteScanError', line: 1, column: 8 });
});

t.test('only the whitespace SQLite skips separates words: a no-break space is part of a name, as in SQLite', async (t) => {
  const [statement] = splitSqliteStatements('\u00a0COMMIT;');
  t.equal(statement?.tokens[0]?.text, '\u00a0COMMIT');
});
