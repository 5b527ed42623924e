import nodeSqlParser from 'node-sql-parser';
import { findNonTsql } from '../../src/sql/tsql-lint.js';

const parser = new nodeSqlParser.Parser();

/** node-sql-parser's complaint about `text` in `dialect`, or undefined when it parses. */
export function parseError(text: string, dialect: 'transactsql' | 'sqlite'): string | undefined {
  try {
    parser.astify(text, { database: dialect });
    return undefined;
  } catch (error) {
    return (error as Error).message.slice(0, 300);
  }
}

/** The repo's T-SQL lint findings as short strings, empty when clean. */
export function lint(text: string): string[] {
  return findNonTsql(text).map((p) => `line ${p.line}: ${p.construct}: ${p.message}`);
}

/** Highest `@pN` index + 1: how many positional values a T-SQL text binds. */
export function tsqlValueCount(text: string): number {
  const numbers = [...text.matchAll(/@p(\d+)\b/g)].map((m) => Number(m[1]));
  return numbers.length === 0 ? 0 : Math.max(...numbers) + 1;
}

/** Whether the `@pN` a text uses are exactly @p0..@p(n-1), none skipped. */
export function tsqlValuesContiguous(text: string): boolean {
  const used = new Set([...text.matchAll(/@p(\d+)\b/g)].map((m) => Number(m[1])));
  return [...used].every((n) => n < used.size);
}

/** `?` placeholders outside string literals. */
export function sqliteValueCount(text: string): number {
  return text.split("'").filter((_, i) => i % 2 === 0).join('').split('?').length - 1;
}
