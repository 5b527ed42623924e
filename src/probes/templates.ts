import { conceptDefinition } from '../platform/concepts.js';

/**
 * `{{name}}` values in a probe's path, headers, body and expectations. They come from the plan
 * and the profile, never from the probe's own text: `{{billDate}}`, `{{account}}` (the probe's
 * scenario account) and `{{account.<column>}}`, a column of the profile's `accountOutcomes`
 * concept for that account, read from the billed copy before the first probe runs.
 */
const USE = /\{\{\s*([^{}\s]*)\s*\}\}/g;

export const ACCOUNT_COLUMNS: readonly string[] = Object.keys(conceptDefinition('accountOutcomes').columns).filter((c) => c !== 'account_number');

export interface TemplateUse {
  readonly name: string;
  readonly offset: number;
}

export function templateUses(text: string): TemplateUse[] {
  return [...text.matchAll(USE)].map((m) => ({ name: m[1] ?? '', offset: m.index }));
}

/** Why `name` cannot be a value of this probe, or undefined when it can. */
export function unknownTemplate(name: string, hasAccount: boolean): string | undefined {
  if (name === 'billDate') return undefined;
  if (name === 'account' || name.startsWith('account.')) {
    if (!hasAccount) return `\`{{${name}}}\` needs the probe's \`account\` (one of the plan's scenario accounts)`;
    const column = name.slice('account.'.length);
    if (name === 'account' || ACCOUNT_COLUMNS.includes(column)) return undefined;
    return `\`{{${name}}}\`: an account's values are ${ACCOUNT_COLUMNS.map((c) => `account.${c}`).join(', ')}`;
  }
  return `unknown value \`{{${name}}}\`; a probe may use {{billDate}}, {{account}} and {{account.<column>}}`;
}

/** `text` with every `{{name}}` replaced; `encode` escapes a value for where it lands (a URL path, JSON). */
export function fill(text: string, values: Readonly<Record<string, string>>, encode: (value: string) => string = (v) => v): string {
  return text.replace(USE, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {{${name}}}`);
    return encode(value);
  });
}
