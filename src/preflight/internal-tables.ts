/**
 * Tables no sanitize rule may name: SQLite's own (`sqlite_schema`, `sqlite_sequence`, ...) and the
 * tool's, which all start with `_rehearsal_` (the run marker, the copy's seal, the fake-value
 * tables). A rule on the marker would pass the schema check on the copy, where the marker exists,
 * and rewrite the production guard.
 */
export const TOOL_TABLE_PREFIX = '_rehearsal_';
const SQLITE_TABLE_PREFIX = 'sqlite_';

/** Both engines compare table names without case (SQLite always, SQL Server under its default collations). */
export function internalTableOwner(table: string): 'SQLite' | 'rehearse' | undefined {
  const name = table.toLowerCase();
  if (name.startsWith(SQLITE_TABLE_PREFIX)) return 'SQLite';
  if (name.startsWith(TOOL_TABLE_PREFIX)) return 'rehearse';
  return undefined;
}
