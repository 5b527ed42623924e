import type { TableShape } from './table-shapes.js';

/**
 * One compared value of an added row: the column as stored, or, for a reference to a row the
 * engine numbered, the referenced row's unique key (`reference`), so rows both bill runs added
 * compare equal whatever numbers they were given.
 */
export interface ContentColumn {
  readonly column: string;
  readonly reference?: { readonly table: string; readonly references: string; readonly uniqueKey: readonly string[] };
}

/** The compared content of an added row, its natural key first, and the referenced tables compared by raw key (they have no unique key). */
export function addedContent(shape: TableShape, columns: readonly string[], shapes: ReadonlyMap<string, TableShape>): { content: ContentColumn[]; naturalWidth: number; raw: string[] } {
  const natural = shape.uniqueKeys[0] ?? [];
  const kept = columns.filter((c) => !(shape.surrogateKey && shape.primaryKey.includes(c)));
  const ordered = [...natural.filter((c) => kept.includes(c)), ...kept.filter((c) => !natural.includes(c))];
  const raw: string[] = [];
  const content = ordered.map((column): ContentColumn => {
    const fk = shape.foreignKeys.find((f) => f.column === column);
    const target = fk === undefined ? undefined : shapes.get(fk.table);
    if (fk === undefined || target === undefined || !target.surrogateKey) return { column };
    const unique = target.uniqueKeys[0];
    if (unique === undefined) {
      raw.push(fk.table);
      return { column };
    }
    return { column, reference: { table: fk.table, references: fk.references, uniqueKey: unique } };
  });
  return { content, naturalWidth: natural.filter((c) => kept.includes(c)).length, raw: [...new Set(raw)] };
}
