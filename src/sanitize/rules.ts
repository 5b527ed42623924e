import { dirname, resolve } from 'node:path';
import { loadValidatedYaml, type LocatedYaml } from '../config/validated-yaml.js';
import { ConfigErrors, type ConfigError } from '../errors.js';
import { inputFileProblem, MAX_SCRIPT_BYTES } from '../config/input-file.js';
import type { TableInfo } from '../engine/types.js';
import { STRATEGIES, ruleSetSchema, type NamedStrategy, type RuleSetFile } from './rule-schema.js';

export type Strategy = { kind: NamedStrategy } | { kind: 'constant'; value: string };

export type Filter =
  | { column: string; op: 'eq'; value: string | number }
  | { column: string; op: 'like'; value: string }
  | { column: string; op: 'in'; values: (string | number)[] };

export interface ColumnRule {
  readonly column: string;
  readonly strategy: Strategy;
}

export interface TableRule {
  readonly table: string;
  readonly filters: readonly Filter[];
  readonly columns: readonly ColumnRule[];
  /** Index in the file's `rules` list, for messages. */
  readonly index: number;
}

export interface RuleSet {
  readonly file: string;
  readonly rules: readonly TableRule[];
  readonly vendorScripts: readonly string[];
  /** A ConfigError at rules[index] (or one of its columns). */
  errorAt(path: (string | number)[], detail: string): ConfigError;
}

/** Reads a rule set; structure errors fail here, before the database is even opened. */
export function loadRuleSet(file: string): RuleSet {
  const located = loadValidatedYaml<RuleSetFile>(resolve(file), ruleSetSchema, 'sanitize rule set');
  const errors: ConfigError[] = [];
  const rules = located.value.rules.map((rule, index) => parseRule(located, rule, index, errors));
  const base = dirname(located.file);
  const vendorScripts = (located.value.vendorScripts ?? []).map((p, i) => {
    const full = resolve(base, p);
    const problem = inputFileProblem(full, MAX_SCRIPT_BYTES);
    if (problem !== undefined) errors.push(located.errorAt(['vendorScripts', i], `vendor script ${full}: ${problem}`));
    return full;
  });
  if (errors.length > 0) throw new ConfigErrors(errors);
  return { file: located.file, rules, vendorScripts, errorAt: located.errorAt };
}

function parseRule(located: LocatedYaml<RuleSetFile>, rule: RuleSetFile['rules'][number], index: number, errors: ConfigError[]): TableRule {
  const columns: ColumnRule[] = [];
  for (const [column, spec] of Object.entries(rule.columns as Record<string, unknown>)) {
    const at = ['rules', index, 'columns', column];
    if (typeof spec === 'string') {
      if ((STRATEGIES as readonly string[]).includes(spec)) columns.push({ column, strategy: { kind: spec as NamedStrategy } });
      else errors.push(located.errorAt(at, `unknown strategy \`${spec}\` for ${rule.table}.${column}; expected one of: ${STRATEGIES.join(', ')}, or { constant: "..." }`));
    } else if (spec !== null && typeof spec === 'object' && !Array.isArray(spec) && Object.keys(spec).length === 1 && typeof (spec as { constant?: unknown }).constant === 'string') {
      columns.push({ column, strategy: { kind: 'constant', value: (spec as { constant: string }).constant } });
    } else {
      errors.push(located.errorAt(at, `strategy for ${rule.table}.${column} must be a strategy name or { constant: "text" }`));
    }
  }
  const filters: Filter[] = [];
  for (const [column, value] of Object.entries((rule.where ?? {}) as Record<string, unknown>)) {
    const at = ['rules', index, 'where', column];
    if (typeof value === 'string' || typeof value === 'number') filters.push({ column, op: 'eq', value });
    else if (isObjectWith(value, 'like') && typeof value.like === 'string') filters.push({ column, op: 'like', value: value.like });
    else if (isObjectWith(value, 'in') && Array.isArray(value.in) && value.in.length > 0 && value.in.every((v) => typeof v === 'string' || typeof v === 'number')) {
      filters.push({ column, op: 'in', values: value.in as (string | number)[] });
    } else errors.push(located.errorAt(at, `filter on ${rule.table}.${column} must be a value, { like: "pattern" } or { in: [values] }`));
  }
  return { table: rule.table, filters, columns, index };
}

function isObjectWith<K extends string>(value: unknown, key: K): value is Record<K, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1 && key in value;
}

const TEXT_ONLY: ReadonlySet<string> = new Set(['email', 'phone', 'first-name', 'last-name', 'full-name', 'street-address', 'free-text', 'card-pan', 'keyed-hash', 'constant']);

/** Checks the rules against the database's real tables and columns; every problem at once, before any write. */
export function checkRulesAgainstSchema(ruleSet: RuleSet, tables: readonly TableInfo[]): void {
  const errors: ConfigError[] = [];
  const byName = new Map(tables.map((t) => [t.name, t]));
  const seen = new Map<string, number>();
  for (const rule of ruleSet.rules) {
    const table = byName.get(rule.table);
    if (table === undefined) {
      errors.push(ruleSet.errorAt(['rules', rule.index, 'table'], `unknown table \`${rule.table}\`; the database has: ${[...byName.keys()].filter((n) => !n.startsWith('_rehearsal')).join(', ')}`));
      continue;
    }
    const columnsByName = new Map(table.columns.map((c) => [c.name, c]));
    for (const filter of rule.filters) {
      if (!columnsByName.has(filter.column)) errors.push(ruleSet.errorAt(['rules', rule.index, 'where', filter.column], `unknown column \`${rule.table}.${filter.column}\` in filter`));
    }
    const filterKey = JSON.stringify(rule.filters);
    for (const { column, strategy } of rule.columns) {
      const info = columnsByName.get(column);
      const at = ['rules', rule.index, 'columns', column];
      if (info === undefined) {
        errors.push(ruleSet.errorAt(at, `unknown column \`${rule.table}.${column}\`; ${rule.table} has: ${table.columns.map((c) => c.name).join(', ')}`));
        continue;
      }
      if (TEXT_ONLY.has(strategy.kind) && !info.isText) {
        errors.push(ruleSet.errorAt(at, `strategy \`${strategy.kind}\` writes text but ${rule.table}.${column} is ${info.type}; use null, keep or a different column`));
      }
      const key = `${rule.table}\u0000${column}\u0000${filterKey}`;
      const first = seen.get(key);
      if (first !== undefined) {
        errors.push(ruleSet.errorAt(at, `duplicate rule: ${rule.table}.${column} with the same filter is already masked by rule ${first + 1}`));
      } else seen.set(key, rule.index);
    }
  }
  if (errors.length > 0) throw new ConfigErrors(errors);
}
