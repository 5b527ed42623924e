import { Fragment, type SqlPart } from '../sql/fragment.js';
import { scanTsql } from '../sql/tsql-lexer.js';

/** A `:name` parameter in an adapter's query, and where it was written (offset in the query text). */
export interface ParameterUse {
  readonly name: string;
  readonly offset: number;
}

const PARAMETER = /(?<![:\w]):([A-Za-z_]\w*)/g;

/**
 * An adapter's SQL, split at its `:name` parameters (outside strings, quoted identifiers and
 * comments). Binding turns each into a value of the `sql` tag, so it reaches the engine as a
 * parameter and never as text.
 */
export class QueryTemplate {
  readonly parameters: readonly ParameterUse[];
  private readonly pieces: readonly string[];

  constructor(readonly text: string) {
    const uses: ParameterUse[] = [];
    for (const segment of scanTsql(text)) {
      if (segment.kind !== 'code') continue;
      for (const match of text.slice(segment.start, segment.end).matchAll(PARAMETER)) {
        uses.push({ name: match[1] ?? '', offset: segment.start + match.index });
      }
    }
    this.parameters = uses;
    const pieces: string[] = [];
    let from = 0;
    for (const use of uses) {
      pieces.push(text.slice(from, use.offset));
      from = use.offset + use.name.length + 1;
    }
    pieces.push(text.slice(from));
    this.pieces = pieces;
  }

  bind(values: Readonly<Record<string, string>>): Fragment {
    const parts: SqlPart[] = this.parameters.map((use) => {
      const value = values[use.name];
      if (value === undefined) throw new Error(`no value for :${use.name}`);
      return value;
    });
    return new Fragment(this.pieces, parts);
  }

  /** Offsets of top-level `ORDER BY` (outside parentheses): the product orders, so a query must not. */
  topLevelOrderBy(): number[] {
    const found: number[] = [];
    let depth = 0;
    for (const segment of scanTsql(this.text)) {
      if (segment.kind !== 'code') continue;
      const code = this.text.slice(segment.start, segment.end);
      for (const match of code.matchAll(/[()]|\border\s+by\b/gi)) {
        if (match[0] === '(') depth++;
        else if (match[0] === ')') depth--;
        else if (depth === 0) found.push(segment.start + match.index);
      }
    }
    return found;
  }
}
