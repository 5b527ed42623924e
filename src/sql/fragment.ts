/**
 * SQL is built only through the `sql` tag: interpolated values become named parameters and
 * identifiers are quoted by the dialect, so no user value is ever concatenated into SQL text.
 */

export type SqlValue = string | number | bigint | boolean | null | Buffer;

/** A table or column name, quoted by the dialect when rendered. */
export class Identifier {
  readonly parts: readonly string[];
  constructor(parts: readonly string[]) {
    if (parts.length === 0) throw new Error('identifier needs at least one part');
    this.parts = parts;
  }
}

/** SQL text the product itself wrote (keywords, function names); never user input. */
export class Keyword {
  constructor(readonly text: string) {}
}

export type SqlPart = SqlValue | Identifier | Keyword | Fragment;

export class Fragment {
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly SqlPart[],
  ) {}
}

export function sql(strings: TemplateStringsArray, ...values: SqlPart[]): Fragment {
  return new Fragment([...strings], values);
}

export function ident(...parts: string[]): Identifier {
  return new Identifier(parts);
}

export function keyword(text: string): Keyword {
  return new Keyword(text);
}

/** Joins fragments with a separator written by the product (", ", " AND "). */
export function join(parts: readonly SqlPart[], separator: string): Fragment {
  if (parts.length === 0) return sql``;
  const strings = ['', ...parts.slice(1).map(() => separator), ''];
  return new Fragment(strings, parts);
}

/** A rendered statement: text with named parameters (`@p0`) and their values. */
export interface SqlStatement {
  readonly text: string;
  readonly params: Readonly<Record<string, SqlValue>>;
}

export interface IdentifierQuoting {
  quoteIdentifier(name: string): string;
}

export function render(fragment: Fragment, quoting: IdentifierQuoting): SqlStatement {
  const params: Record<string, SqlValue> = {};
  let next = 0;
  const visit = (f: Fragment): string => {
    let text = f.strings[0] ?? '';
    f.values.forEach((value, i) => {
      text += renderPart(value) + (f.strings[i + 1] ?? '');
    });
    return text;
  };
  const renderPart = (value: SqlPart): string => {
    if (value instanceof Fragment) return visit(value);
    if (value instanceof Identifier) return value.parts.map((p) => quoting.quoteIdentifier(p)).join('.');
    if (value instanceof Keyword) return value.text;
    const name = `p${next++}`;
    params[name] = value;
    return `@${name}`;
  };
  return { text: visit(fragment), params };
}
