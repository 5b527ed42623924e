import { sql, ident, type Fragment } from '../../sql/fragment.js';

/** Columns of the base tables in the login's default schema, which is where unqualified names resolve. */
export function tableColumnsQuery(): Fragment {
  const c = (name: string) => ident('c', name);
  const t = (name: string) => ident('t', name);
  return sql`SELECT ${c('TABLE_NAME')} AS ${ident('table_name')}, ${c('COLUMN_NAME')} AS ${ident('column_name')}, ${c('DATA_TYPE')} AS ${ident('data_type')} FROM ${ident('INFORMATION_SCHEMA', 'COLUMNS')} AS ${ident('c')} JOIN ${ident('INFORMATION_SCHEMA', 'TABLES')} AS ${ident('t')} ON ${t('TABLE_SCHEMA')} = ${c('TABLE_SCHEMA')} AND ${t('TABLE_NAME')} = ${c('TABLE_NAME')} WHERE ${t('TABLE_TYPE')} = ${'BASE TABLE'} AND ${c('TABLE_SCHEMA')} = SCHEMA_NAME() ORDER BY ${c('TABLE_NAME')}, ${c('ORDINAL_POSITION')}`;
}
