/** A probe as written in a checklist item: exactly one of `http`, `sql`, `command`, `job` (checked in validate.ts). */
export interface ProbeFile {
  title?: string;
  /** A scenario account: its number is `{{account}}` / `:account`, its profile values `{{account.<column>}}`. */
  account?: string;
  http?: { service: string; method?: string; path: string; headers?: Record<string, string>; body?: unknown; bodyFile?: string };
  sql?: string;
  command?: { run: string; file?: string; timeoutSeconds?: number };
  job?: { service: string; seconds: number };
  expect?: {
    status?: number;
    json?: { path: string; equals?: string | number | boolean | null; matches?: string; exists?: boolean }[];
    text?: string;
    rows?: number;
    minRows?: number;
    values?: Record<string, string | number | boolean | null>;
    ledger?: { kind: string; min?: number; max?: number; accounts?: string }[];
  };
}

const text = { type: 'string', minLength: 1, maxLength: 4096 } as const;
const scalar = { type: ['string', 'number', 'boolean', 'null'] } as const;
const query = { type: 'string', minLength: 1, maxLength: 100_000 } as const;
const count = { type: 'integer', minimum: 0, maximum: 1_000_000_000 } as const;

/** The JSON schema of a checklist item's `probes` list (ajv, strict). */
export const probesSchema = {
  type: 'array',
  minItems: 1,
  maxItems: 50,
  items: {
    type: 'object',
    additionalProperties: false,
    required: [],
    properties: {
      title: text,
      account: { type: 'string', minLength: 1, maxLength: 64 },
      http: {
        type: 'object',
        additionalProperties: false,
        required: ['service', 'path'],
        properties: {
          service: text,
          method: { type: 'string', enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
          path: { type: 'string', minLength: 1, maxLength: 2048, pattern: '^/' },
          headers: { type: 'object', additionalProperties: { type: 'string', maxLength: 4096 }, required: [] },
          body: {},
          bodyFile: text,
        },
      },
      sql: query,
      command: {
        type: 'object',
        additionalProperties: false,
        required: ['run'],
        properties: { run: text, file: text, timeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 600 } },
      },
      job: {
        type: 'object',
        additionalProperties: false,
        required: ['service', 'seconds'],
        properties: { service: text, seconds: { type: 'number', exclusiveMinimum: 0, maximum: 600 } },
      },
      expect: {
        type: 'object',
        additionalProperties: false,
        required: [],
        properties: {
          status: { type: 'integer', minimum: 100, maximum: 599 },
          json: {
            type: 'array',
            maxItems: 100,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['path'],
              properties: { path: text, equals: scalar, matches: text, exists: { type: 'boolean' } },
            },
          },
          text,
          rows: count,
          minRows: count,
          values: { type: 'object', additionalProperties: scalar, required: [] },
          ledger: {
            type: 'array',
            maxItems: 10,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['kind'],
              properties: { kind: { type: 'string', enum: ['mail', 'payment', 'provisioning'] }, min: count, max: count, accounts: query },
            },
          },
        },
      },
    },
  },
} as const;
