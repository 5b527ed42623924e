import type { TableInfo } from '../engine/types.js';
import type { ConfigError } from '../errors.js';
import type { YamlPath } from '../config/validated-yaml.js';
import type { ReleaseNote } from './types.js';

/**
 * The tables and columns release notes name, against the snapshot's schema: a typo would
 * otherwise explain nothing and read as "the feature is not active".
 */
export function releaseNoteTargetProblems(notes: readonly ReleaseNote[], tables: readonly TableInfo[], errorAt: (path: YamlPath, detail: string) => ConfigError): ConfigError[] {
  const byName = new Map(tables.map((t) => [t.name.toLowerCase(), t]));
  const problems: ConfigError[] = [];
  notes.forEach((note, i) => {
    for (const expected of note.expect?.differences ?? []) {
      if (expected.kind !== 'column' && expected.kind !== 'rows') continue;
      const at: YamlPath = ['releaseNotes', i, 'expect', 'differ', expected.at, expected.kind];
      const table = byName.get(expected.table.toLowerCase());
      if (table === undefined) {
        problems.push(errorAt(at, `the snapshot has no table \`${expected.table}\`; name a table the state differential compares`));
        continue;
      }
      const columns = new Set(table.columns.map((c) => c.name.toLowerCase()));
      const named = expected.kind === 'column' ? [expected.column, ...(expected.change.sameAs !== undefined ? [expected.change.sameAs.slice(expected.change.sameAs.indexOf('.') + 1)] : [])] : Object.keys(expected.where);
      for (const column of named) {
        if (!columns.has(column.toLowerCase())) problems.push(errorAt(expected.kind === 'column' ? at : [...at.slice(0, -1), 'where', column], `table \`${table.name}\` has no column \`${column}\`; its columns: ${table.columns.map((c) => c.name).join(', ')}`));
      }
    }
  });
  return problems;
}
