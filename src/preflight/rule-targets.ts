import type { TableInfo } from '../engine/types.js';
import { checkRulesAgainstSchema, type RuleSet } from '../sanitize/rules.js';
import type { Problems } from './problems.js';
import { internalTableOwner } from './internal-tables.js';

/** Rules that name SQLite's or the tool's own tables; they are refused whatever the schema holds. */
export function checkInternalTables(ruleSet: RuleSet, problems: Problems): void {
  for (const rule of ruleSet.rules) {
    const owner = internalTableOwner(rule.table);
    if (owner === undefined) continue;
    problems.add(
      ruleSet.errorAt(
        ['rules', rule.index, 'table'],
        `\`${rule.table}\` is ${owner === 'SQLite' ? "one of SQLite's own tables" : "one of rehearse's own tables (the run marker, the copy's seal or the fake values)"}; a sanitize rule may name only the platform's tables`,
      ),
    );
  }
}

/** Every other rule's table, columns, filters and strategy types against the source's schema, all at once. */
export async function checkRulesAgainstSource(ruleSet: RuleSet, tables: readonly TableInfo[], problems: Problems): Promise<void> {
  const platformRules = { ...ruleSet, rules: ruleSet.rules.filter((r) => internalTableOwner(r.table) === undefined) };
  await problems.collect(() => checkRulesAgainstSchema(platformRules, tables));
}
