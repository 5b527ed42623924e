import { lineAt, scanTsql } from './tsql-lexer.js';

export interface TsqlProblem {
  readonly line: number;
  readonly construct: string;
  readonly message: string;
}

/** Constructs from other SQL dialects that SQL Server rejects or reads differently. */
const CODE_RULES: readonly { readonly pattern: RegExp; readonly construct: string; readonly message: string }[] = [
  { pattern: /\bLIMIT\b/gi, construct: 'LIMIT', message: 'LIMIT is not T-SQL; use SELECT TOP (n) or OFFSET ... FETCH' },
  { pattern: /`[^`\n]*`?/g, construct: 'backtick', message: 'backtick quoting is not T-SQL; quote identifiers with [brackets]' },
  { pattern: /\|\|/g, construct: '||', message: '|| is not string concatenation in T-SQL; use + or CONCAT()' },
  { pattern: /\?/g, construct: '?', message: '? placeholders are not bound by mssql; use named @pN parameters' },
];

/**
 * Finds constructs that are not T-SQL in generated SQL, outside strings and comments. A parser
 * is no substitute: node-sql-parser's transactsql grammar accepts LIMIT and backticks.
 */
export function findNonTsql(text: string): TsqlProblem[] {
  const problems: TsqlProblem[] = [];
  for (const segment of scanTsql(text)) {
    if (segment.kind === 'double-quoted') {
      problems.push({
        line: lineAt(text, segment.start),
        construct: 'double-quoted identifier',
        message: 'double-quoted identifiers depend on QUOTED_IDENTIFIER; quote identifiers with [brackets]',
      });
    }
    if (segment.kind !== 'code') continue;
    const code = text.slice(segment.start, segment.end);
    for (const rule of CODE_RULES) {
      for (const match of code.matchAll(rule.pattern)) {
        problems.push({ line: lineAt(text, segment.start + match.index), construct: rule.construct, message: rule.message });
      }
    }
  }
  return problems.sort((a, b) => a.line - b.line);
}
