import type { JSONSchemaType } from 'ajv';

export const STRATEGIES = [
  'email',
  'phone',
  'first-name',
  'last-name',
  'full-name',
  'street-address',
  'free-text',
  'card-pan',
  'keyed-hash',
  'null',
  'keep',
] as const;

export type NamedStrategy = (typeof STRATEGIES)[number];
export type StrategySpec = NamedStrategy | { constant: string };

export type WhereValue = string | number | { like: string } | { in: (string | number)[] };

export interface RuleSetFile {
  version: 1;
  /** Vendor SQL files run after the rules, in this order (paths relative to the rule file). */
  vendorScripts?: string[];
  rules: {
    table: string;
    where?: Record<string, WhereValue>;
    columns: Record<string, StrategySpec>;
  }[];
}

export const ruleSetSchema: JSONSchemaType<RuleSetFile> = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'rules'],
  properties: {
    version: { type: 'integer', const: 1 },
    vendorScripts: { type: 'array', nullable: true, items: { type: 'string', minLength: 1, maxLength: 1024 } },
    rules: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['table', 'columns'],
        properties: {
          table: { type: 'string', minLength: 1, maxLength: 128 },
          // Values are checked by the loader, which can say which strategy or filter is wrong and where.
          where: { type: 'object', nullable: true, required: [], minProperties: 1 } as never,
          columns: { type: 'object', required: [], minProperties: 1 } as never,
        },
      },
    },
  },
};
