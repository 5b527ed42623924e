import type { JSONSchemaType } from 'ajv';

/** A driver step run as a shell command (inside the sandbox namespace, or on the app host through SSM). */
export interface CommandStepFile {
  run: string;
  timeoutSeconds?: number;
}

/** A driver step run as SQL against the rehearsal's copy. */
export interface SqlStepFile {
  sql: string;
  timeoutSeconds?: number;
}

export interface DriverFile {
  kind: 'module' | 'commands' | 'sql' | 'ssm';
  /** `module`: a TypeScript module beside the adapter exporting `createDriver`. */
  module?: string;
  /** A long-running billing service the driver starts (and stops) inside the sandbox. */
  service?: { run: string; readyTimeoutSeconds?: number; ready?: CommandStepFile };
  configure?: CommandStepFile | SqlStepFile;
  begin?: CommandStepFile | SqlStepFile;
  /** Prints (command) or returns (SQL, one row) `state`, `processed`, `total` and optionally `error`. */
  status?: CommandStepFile | SqlStepFile;
  stop?: CommandStepFile;
  pollSeconds?: number;
}

export interface ServiceFile {
  name: string;
  why: string;
  /** How to tell whether it runs (exit 0: running), and how to stop it. */
  state?: string;
  stop?: string;
  /** Runs it in the foreground until stopped, for a plan that enables it during the bill run and for probes (src/probes/). */
  start?: string;
  /** Where it answers HTTP inside the sandbox, e.g. a portal's `http://127.0.0.1:8080`. */
  url?: string;
}

/** A (module, action) of warnings that depend on systems outside the platform (a gateway, a mail server, a switch). */
export interface ExternalWarningFile {
  module: string;
  action: string;
  reason: string;
  /**
   * Regular expressions of the messages the outside systems cause; only those warnings of the kind
   * get the margin, the rest (data problems filed under the same kind) are judged strictly.
   */
  messages?: string[];
}

export interface AdapterFile {
  version: 1;
  name: string;
  title: string;
  status: 'stand-in' | 'confirmed' | 'unconfirmed';
  engines: ('sqlite' | 'mssql')[];
  releases: Record<string, string>;
  regressionSwitches?: { release: string; switches: string[] };
  driver: DriverFile;
  services?: ServiceFile[];
  outbound?: { accountPatterns?: string[]; invoicePattern?: string; amountPattern?: string };
  /** Warnings whose count may legitimately differ between production and the sinkholed rehearsal. */
  eventLog?: { externalWarnings?: ExternalWarningFile[] };
  /** The account table and the column people know an account by: differences are attributed to it. */
  accountIdentity: { table: string; column: string };
  /** A stand-in's program that writes a snapshot and production's result (`--accounts --seed --bill-date --out`). */
  generator?: { program: string };
  profile: Record<string, string | { sqlite?: string; tsql?: string }>;
}

const name = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', maxLength: 100 } as const;
const seconds = { type: 'number', exclusiveMinimum: 0, maximum: 86400, nullable: true } as const;
const command = { type: 'string', minLength: 1, maxLength: 4000 } as const;
const commandStep = {
  type: 'object',
  additionalProperties: false,
  required: ['run'],
  properties: { run: command, timeoutSeconds: seconds },
} as const;
const sqlStep = {
  type: 'object',
  additionalProperties: false,
  required: ['sql'],
  properties: { sql: { type: 'string', minLength: 1, maxLength: 100000 }, timeoutSeconds: seconds },
} as const;
const eitherStep = { type: 'object', nullable: true, oneOf: [commandStep, sqlStep] } as const;
const query = { type: 'string', minLength: 1, maxLength: 100000 } as const;

export const adapterSchema: JSONSchemaType<AdapterFile> = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'name', 'title', 'status', 'engines', 'releases', 'driver', 'accountIdentity', 'profile'],
  properties: {
    version: { type: 'integer', const: 1 },
    name,
    title: { type: 'string', minLength: 1, maxLength: 200 },
    status: { type: 'string', enum: ['stand-in', 'confirmed', 'unconfirmed'] },
    engines: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: ['sqlite', 'mssql'] } },
    releases: { type: 'object', minProperties: 1, required: [], additionalProperties: { type: 'string', minLength: 1, maxLength: 100 } },
    regressionSwitches: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: ['release', 'switches'],
      properties: { release: name, switches: { type: 'array', uniqueItems: true, items: name } },
    },
    driver: {
      type: 'object',
      additionalProperties: false,
      required: ['kind'],
      properties: {
        kind: { type: 'string', enum: ['module', 'commands', 'sql', 'ssm'] },
        module: { type: 'string', minLength: 1, nullable: true },
        service: {
          type: 'object',
          nullable: true,
          additionalProperties: false,
          required: ['run'],
          properties: { run: command, readyTimeoutSeconds: seconds, ready: { ...commandStep, nullable: true } },
        },
        configure: eitherStep,
        begin: eitherStep,
        status: eitherStep,
        stop: { ...commandStep, nullable: true },
        pollSeconds: { type: 'number', minimum: 0.01, maximum: 60, nullable: true },
      },
    },
    services: {
      type: 'array',
      nullable: true,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'why'],
        properties: {
          name,
          why: { type: 'string', minLength: 1 },
          state: { ...command, nullable: true },
          stop: { ...command, nullable: true },
          start: { ...command, nullable: true },
          url: { type: 'string', nullable: true, pattern: '^https?://[^/?#]+$', maxLength: 300 },
        },
      },
    },
    outbound: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: [],
      properties: {
        accountPatterns: { type: 'array', nullable: true, items: { type: 'string', minLength: 1, maxLength: 500 } },
        invoicePattern: { type: 'string', nullable: true, minLength: 1, maxLength: 500 },
        amountPattern: { type: 'string', nullable: true, minLength: 1, maxLength: 500 },
      },
    },
    eventLog: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: [],
      properties: {
        externalWarnings: {
          type: 'array',
          nullable: true,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['module', 'action', 'reason'],
            properties: {
              module: { type: 'string', minLength: 1, maxLength: 200 },
              action: { type: 'string', minLength: 1, maxLength: 200 },
              reason: { type: 'string', minLength: 1, maxLength: 500 },
              messages: { type: 'array', nullable: true, minItems: 1, items: { type: 'string', minLength: 1, maxLength: 500 } },
            },
          },
        },
      },
    },
    accountIdentity: {
      type: 'object',
      additionalProperties: false,
      required: ['table', 'column'],
      properties: { table: { type: 'string', minLength: 1, maxLength: 128 }, column: { type: 'string', minLength: 1, maxLength: 128 } },
    },
    generator: { type: 'object', nullable: true, additionalProperties: false, required: ['program'], properties: { program: { type: 'string', minLength: 1 } } },
    profile: {
      type: 'object',
      required: [],
      additionalProperties: {
        oneOf: [
          query,
          {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            required: [],
            properties: { sqlite: { ...query, nullable: true }, tsql: { ...query, nullable: true } },
          },
        ],
      },
    },
  },
} as unknown as JSONSchemaType<AdapterFile>;
