import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nodeSqlParser from 'node-sql-parser';
import type { Fragment, SqlValue } from '../../src/sql/fragment.js';
import { tsqlDialect } from '../../src/sql/tsql.js';

export const GOLDEN_DIR = fileURLToPath(new URL('../golden/tsql/', import.meta.url));

/** Set to rewrite golden files from the current output instead of comparing. */
export const UPDATE_GOLDEN = process.env['REHEARSAL_UPDATE_GOLDEN'] === '1';

export interface GoldenStatement {
  readonly name: string;
  readonly fragment: Fragment;
  /** Why node-sql-parser's transactsql grammar cannot check this statement, when it cannot. */
  readonly unparsable?: string;
}

const parser = new nodeSqlParser.Parser();

/** Parses with node-sql-parser's T-SQL grammar; returns the parser's complaint, or undefined. */
export function tsqlParseError(text: string): string | undefined {
  try {
    parser.astify(text, { database: 'transactsql' });
    return undefined;
  } catch (error) {
    return (error as Error).message.slice(0, 300);
  }
}

function showValue(value: SqlValue): unknown {
  if (typeof value === 'bigint') return `${value}n`;
  if (Buffer.isBuffer(value)) return `0x${value.toString('hex')}`;
  return value;
}

/** The golden form: each statement's name, exact T-SQL text and parameters. */
export function renderGolden(statements: readonly GoldenStatement[]): string {
  return statements
    .map(({ name, fragment }) => {
      const { text, params } = tsqlDialect.render(fragment);
      const shown = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, showValue(v)]));
      return `-- ${name}\n${text};\n-- params: ${JSON.stringify(shown)}\n`;
    })
    .join('\n');
}

/** Compares with (or, when updating, writes) tests/golden/tsql/<file>. */
export function goldenMismatch(file: string, statements: readonly GoldenStatement[]): { expected: string; actual: string } | undefined {
  const path = join(GOLDEN_DIR, file);
  const actual = renderGolden(statements);
  if (UPDATE_GOLDEN || !existsSync(path)) {
    if (!UPDATE_GOLDEN) throw new Error(`golden file ${path} is missing; run with REHEARSAL_UPDATE_GOLDEN=1 to create it, then review it`);
    writeFileSync(path, actual);
    return undefined;
  }
  const expected = readFileSync(path, 'utf8');
  return expected === actual ? undefined : { expected, actual };
}
