import t from 'tap';
import { splitBatches } from '../../src/sql/go-batches.js';
import { UserError } from '../../src/errors.js';

interface Case {
  readonly name: string;
  readonly script: string;
  readonly batches: readonly { text: string; startLine: number; repeat?: number }[];
}

const cases: Case[] = [
  { name: 'no GO: one batch', script: 'SELECT 1;\nSELECT 2;\n', batches: [{ text: 'SELECT 1;\nSELECT 2;', startLine: 1 }] },
  { name: 'GO between two batches', script: 'SELECT 1\nGO\nSELECT 2\n', batches: [{ text: 'SELECT 1', startLine: 1 }, { text: 'SELECT 2', startLine: 3 }] },
  { name: 'lower and mixed case', script: 'SELECT 1\ngo\nSELECT 2\nGo\nSELECT 3', batches: [{ text: 'SELECT 1', startLine: 1 }, { text: 'SELECT 2', startLine: 3 }, { text: 'SELECT 3', startLine: 5 }] },
  { name: 'trailing and leading spaces and tabs', script: 'SELECT 1\n  GO  \t\nSELECT 2', batches: [{ text: 'SELECT 1', startLine: 1 }, { text: 'SELECT 2', startLine: 3 }] },
  { name: 'GO 3 repeats the batch', script: 'INSERT INTO t DEFAULT VALUES\nGO 3\n', batches: [{ text: 'INSERT INTO t DEFAULT VALUES', startLine: 1, repeat: 3 }] },
  { name: 'go 12 with a trailing comment', script: 'SELECT 1\ngo 12 -- twelve times\nSELECT 2', batches: [{ text: 'SELECT 1', startLine: 1, repeat: 12 }, { text: 'SELECT 2', startLine: 3 }] },
  { name: 'GO followed by a comment', script: 'SELECT 1\nGO -- next\nSELECT 2', batches: [{ text: 'SELECT 1', startLine: 1 }, { text: 'SELECT 2', startLine: 3 }] },
  {
    name: 'CRLF file keeps CRLF inside batches',
    script: 'UPDATE a SET x = 1\r\nWHERE y = 2\r\nGO\r\nSELECT 2\r\n',
    batches: [{ text: 'UPDATE a SET x = 1\r\nWHERE y = 2', startLine: 1 }, { text: 'SELECT 2', startLine: 4 }],
  },
  { name: 'GO inside a multi-line string is text', script: "INSERT INTO t VALUES ('line one\nGO\nline three')\nGO\nSELECT 1", batches: [{ text: "INSERT INTO t VALUES ('line one\nGO\nline three')", startLine: 1 }, { text: 'SELECT 1', startLine: 5 }] },
  { name: "escaped quote does not end the string", script: "SELECT 'it''s\nGO\nstill text'\nGO", batches: [{ text: "SELECT 'it''s\nGO\nstill text'", startLine: 1 }] },
  { name: 'GO inside a block comment is text', script: 'SELECT 1\n/* a comment\nGO\n*/\nSELECT 2', batches: [{ text: 'SELECT 1\n/* a comment\nGO\n*/\nSELECT 2', startLine: 1 }] },
  { name: 'nested block comments', script: '/* outer /* inner */\nGO\nstill outer */\nSELECT 1\nGO\nSELECT 2', batches: [{ text: '/* outer /* inner */\nGO\nstill outer */\nSELECT 1', startLine: 1 }, { text: 'SELECT 2', startLine: 6 }] },
  { name: 'GO after a line comment on the previous line splits', script: 'SELECT 1 -- it\'s a comment, not a string\nGO\nSELECT 2', batches: [{ text: "SELECT 1 -- it's a comment, not a string", startLine: 1 }, { text: 'SELECT 2', startLine: 3 }] },
  { name: 'commented-out GO is not a separator', script: 'SELECT 1\n-- GO\nSELECT 2', batches: [{ text: 'SELECT 1\n-- GO\nSELECT 2', startLine: 1 }] },
  { name: 'GO inside a bracketed identifier is text', script: 'CREATE TABLE [weird\nGO\n]]name] (x INT)\nGO', batches: [{ text: 'CREATE TABLE [weird\nGO\n]]name] (x INT)', startLine: 1 }] },
  { name: 'GO inside a double-quoted identifier is text', script: 'SELECT 1 AS "a\nGO\nb"', batches: [{ text: 'SELECT 1 AS "a\nGO\nb"', startLine: 1 }] },
  { name: 'GO as part of a longer word is not a separator', script: 'GOTO done\nGO_TABLE\ngo#temp\ndone:', batches: [{ text: 'GOTO done\nGO_TABLE\ngo#temp\ndone:', startLine: 1 }] },
  { name: 'GO in the middle of a line is not a separator', script: 'SELECT 1 GO\nSELECT 2', batches: [{ text: 'SELECT 1 GO\nSELECT 2', startLine: 1 }] },
  { name: 'empty batches are dropped', script: 'GO\n\nGO\nSELECT 1\nGO\n   \nGO', batches: [{ text: 'SELECT 1', startLine: 4 }] },
  { name: 'leading blank lines keep the start line', script: 'SELECT 1\nGO\n\n\nSELECT 2', batches: [{ text: 'SELECT 1', startLine: 1 }, { text: '\n\nSELECT 2', startLine: 3 }] },
  { name: 'byte-order mark is dropped', script: '\uFEFFSELECT 1\nGO', batches: [{ text: 'SELECT 1', startLine: 1 }] },
  { name: 'GO on the last line without a newline', script: 'SELECT 1\nGO', batches: [{ text: 'SELECT 1', startLine: 1 }] },
  { name: 'N-prefixed unicode string with GO inside', script: "SELECT N'ü\nGO\n'\nGO", batches: [{ text: "SELECT N'ü\nGO\n'", startLine: 1 }] },
];

t.test('splits scripts the way sqlcmd does', async (t) => {
  t.ok(cases.length >= 15, 'the table has at least 15 cases');
  for (const c of cases) {
    t.same(
      splitBatches(c.script, 'vendor.sql'),
      c.batches.map((b) => ({ text: b.text, startLine: b.startLine, repeat: b.repeat ?? 1 })),
      c.name,
    );
  }
});

t.test('a GO with a count that is not a positive number names file and line', async (t) => {
  for (const line of ['GO abc', 'GO 0', 'GO 3x', 'go -1', 'GO;']) {
    const error = t.throws(() => splitBatches(`SELECT 1\n${line}\nSELECT 2`, 'scrub.sql')) as Error;
    t.type(error, UserError, line);
    t.match(error.message, /^scrub\.sql:2: /, `${line}: file and line`);
  }
});

t.test('a script that ends inside a string or comment is refused with its start line', async (t) => {
  t.throws(() => splitBatches("SELECT 1\nGO\nSELECT 'open\nGO\n", 'scrub.sql'), { message: /^scrub\.sql:3: the script ends inside a string/ });
  t.throws(() => splitBatches('SELECT 1\n/* open\nGO\n', 'scrub.sql'), { message: /^scrub\.sql:2: the script ends inside a \/\* comment/ });
  t.throws(() => splitBatches('SELECT [open\nGO\n', 'scrub.sql'), { message: /^scrub\.sql:1: .*bracketed/ });
});
