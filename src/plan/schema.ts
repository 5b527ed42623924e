import type { JSONSchemaType } from 'ajv';
import { releaseNotesSchema } from '../release-notes/schema.js';
import type { ReleaseNoteFile } from '../release-notes/types.js';
import { probesSchema, type ProbeFile } from '../probes/schema.js';

/** The plan file as written (before paths are resolved and defaults filled in). */
export interface PlanFile {
  version: 1;
  releaseCandidate: { id: string; version: string };
  target: 'local' | 'aws';
  platform: { kind?: string; adapter?: string; release?: string; faults?: string[] };
  database?: { engine: 'sqlite' | 'mssql'; server?: string; connectionStringEnv?: string };
  sample?: { accounts: number; seed: number };
  snapshot: {
    path?: string;
    backupFile?: string;
    s3Arn?: string;
    database?: string;
    catalogue?: { folder?: string; s3Prefix?: string; rdsSnapshots?: { tags: Record<string, string>; database: string } };
    maxAgeHours?: number;
    billRunStartedAt?: string;
  };
  productionResult: { path?: string; database?: string; ledger?: string };
  billRun: {
    date: string;
    timeoutSeconds?: number;
    configuration?: { emailInvoices?: boolean; chargeAutoPay?: boolean; provision?: boolean };
  };
  sanitize: {
    rules: string;
    safeDomain?: string;
    secretEnv?: string;
    allow?: { column: string; reason: string }[];
    productionDomains?: string[];
    batchRows?: number;
  };
  scenarios?: {
    account: string;
    why: string;
    expect: {
      invoiceTotal?: number;
      balance?: number;
      nextBillDatesAdvanced?: boolean;
      poolMinutesApplied?: boolean;
      billed?: boolean;
    };
  }[];
  checklist?: { id: string; title: string; checks?: string[]; signOff?: string; probes?: ProbeFile[] }[];
  egress?: {
    policy?: 'deny-all' | 'allowlist';
    mailServers?: string[];
    switches?: { host: string; ports: number[] }[];
    switchCidrs?: string[];
    allowlist?: string[];
    paymentSinkhole?: { declineLast4?: string[]; declineAboveCents?: number };
  };
  verify?: {
    control?: 'production-release';
    controlNoiseRows?: number;
    tolerance?: number;
    expectedProvisioning?: string[];
    expectedPermissionChanges?: { role: string; permission: string; reason: string }[];
    expectedStaffPermissionChanges?: { user?: string; role?: string; permission: string; reason?: string; releaseNote?: string }[];
    stateDifferential?: { ignore?: { table?: string; column?: string; reason: string }[] };
  };
  report?: { dir?: string };
  /** What the release changes on purpose (src/release-notes/). */
  releaseNotes?: ReleaseNoteFile[];
  platformOverrides?: PlatformOverridesFile;
}

/**
 * Where the plan departs from production on purpose, each with the reason a person wrote: a
 * bill-run configuration item set otherwise than production's last bill run, and other services
 * of the platform run during the bill run instead of kept stopped.
 */
export interface PlatformOverridesFile {
  configuration?: { item: string; value: string; reason: string }[];
  enableServices?: { service: string; reason: string }[];
}

const overrideReason = { type: 'string', minLength: 10, maxLength: 2000 } as const;

const platformOverridesSchema = {
  type: 'object',
  nullable: true,
  additionalProperties: false,
  required: [],
  properties: {
    configuration: {
      type: 'array',
      nullable: true,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['item', 'value', 'reason'],
        properties: { item: { type: 'string', minLength: 1, maxLength: 200 }, value: { type: 'string', maxLength: 2000 }, reason: overrideReason },
      },
    },
    enableServices: {
      type: 'array',
      nullable: true,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['service', 'reason'],
        properties: { service: { type: 'string', minLength: 1, maxLength: 100 }, reason: overrideReason },
      },
    },
  },
} as const;

const nonEmpty = { type: 'string', minLength: 1, maxLength: 1024 } as const;
const hostname = { type: 'string', minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.:\\-]+$' } as const;
const port = { type: 'integer', minimum: 1, maximum: 65535 } as const;
/** A SQL Server database name; always bracket-quoted when used, the pattern only keeps typos out. */
const databaseName = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z_][A-Za-z0-9_@#$ .-]*$' } as const;
const identifier = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' } as const;

export const planSchema: JSONSchemaType<PlanFile> = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'releaseCandidate', 'target', 'platform', 'snapshot', 'productionResult', 'billRun', 'sanitize'],
  properties: {
    version: { type: 'integer', const: 1 },
    releaseCandidate: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'version'],
      properties: { id: identifier, version: identifier },
    },
    target: { type: 'string', enum: ['local', 'aws'] },
    platform: {
      type: 'object',
      additionalProperties: false,
      required: [],
      properties: {
        kind: { ...identifier, nullable: true },
        adapter: { type: 'string', minLength: 1, nullable: true },
        release: { ...identifier, nullable: true },
        faults: { type: 'array', items: identifier, uniqueItems: true, nullable: true },
      },
    },
    database: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: ['engine'],
      properties: {
        engine: { type: 'string', enum: ['sqlite', 'mssql'] },
        server: { ...hostname, nullable: true },
        connectionStringEnv: { type: 'string', pattern: '^[A-Z_][A-Z0-9_]*$', nullable: true },
      },
    },
    sample: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: ['accounts', 'seed'],
      properties: {
        accounts: { type: 'integer', minimum: 1, maximum: 10000000 },
        seed: { type: 'integer', minimum: 0, maximum: 2147483647 },
      },
    },
    snapshot: {
      type: 'object',
      additionalProperties: false,
      properties: {
        path: { ...nonEmpty, nullable: true },
        backupFile: { ...nonEmpty, nullable: true },
        s3Arn: { type: 'string', minLength: 1, maxLength: 1024, pattern: '^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/\\S+$', nullable: true },
        database: { ...databaseName, nullable: true },
        catalogue: {
          type: 'object',
          nullable: true,
          additionalProperties: false,
          required: [],
          minProperties: 1,
          maxProperties: 1,
          properties: {
            folder: { ...nonEmpty, nullable: true },
            s3Prefix: { type: 'string', minLength: 1, maxLength: 1024, pattern: '^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/\\S*$', nullable: true },
            rdsSnapshots: {
              type: 'object',
              nullable: true,
              additionalProperties: false,
              required: ['tags', 'database'],
              properties: {
                tags: { type: 'object', minProperties: 1, required: [], additionalProperties: { type: 'string', minLength: 0, maxLength: 256 } },
                database: databaseName,
              },
            },
          },
        },
        maxAgeHours: { type: 'number', exclusiveMinimum: 0, maximum: 8760, nullable: true },
        billRunStartedAt: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$', nullable: true },
      },
    },
    productionResult: {
      type: 'object',
      additionalProperties: false,
      properties: { path: { ...nonEmpty, nullable: true }, database: { ...databaseName, nullable: true }, ledger: { ...nonEmpty, nullable: true } },
    },
    billRun: {
      type: 'object',
      additionalProperties: false,
      required: ['date'],
      properties: {
        date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
        timeoutSeconds: { type: 'integer', minimum: 1, maximum: 172800, nullable: true },
        configuration: {
          type: 'object',
          nullable: true,
          additionalProperties: false,
          required: [],
          properties: {
            emailInvoices: { type: 'boolean', nullable: true },
            chargeAutoPay: { type: 'boolean', nullable: true },
            provision: { type: 'boolean', nullable: true },
          },
        },
      },
    },
    sanitize: {
      type: 'object',
      additionalProperties: false,
      required: ['rules'],
      properties: {
        rules: nonEmpty,
        safeDomain: { ...hostname, nullable: true },
        secretEnv: { type: 'string', pattern: '^[A-Z_][A-Z0-9_]*$', nullable: true },
        allow: {
          type: 'array',
          nullable: true,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['column', 'reason'],
            properties: {
              column: { type: 'string', pattern: '^[A-Za-z0-9_]+\\.[A-Za-z0-9_]+$' },
              reason: { type: 'string', minLength: 10, maxLength: 2000 },
            },
          },
        },
        productionDomains: { type: 'array', nullable: true, items: { type: 'string', minLength: 1, maxLength: 253 } },
        batchRows: { type: 'integer', minimum: 1, maximum: 10_000_000, nullable: true },
      },
    },
    scenarios: {
      type: 'array',
      nullable: true,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['account', 'why', 'expect'],
        properties: {
          account: { type: 'string', minLength: 1, maxLength: 64 },
          why: nonEmpty,
          expect: {
            type: 'object',
            additionalProperties: false,
            required: [],
            minProperties: 1,
            properties: {
              invoiceTotal: { type: 'number', nullable: true },
              balance: { type: 'number', nullable: true },
              nextBillDatesAdvanced: { type: 'boolean', nullable: true },
              poolMinutesApplied: { type: 'boolean', nullable: true },
              billed: { type: 'boolean', nullable: true },
            },
          },
        },
      },
    },
    checklist: {
      type: 'array',
      nullable: true,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'title'],
        properties: {
          id: identifier,
          title: nonEmpty,
          checks: { type: 'array', items: identifier, nullable: true },
          signOff: { ...nonEmpty, nullable: true },
          probes: { ...probesSchema, nullable: true } as unknown as JSONSchemaType<ProbeFile[]> & { nullable: true },
        },
      },
    },
    egress: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: [],
      properties: {
        policy: { type: 'string', enum: ['deny-all', 'allowlist'], nullable: true },
        mailServers: { type: 'array', items: hostname, nullable: true },
        switches: {
          type: 'array',
          nullable: true,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['host', 'ports'],
            properties: { host: hostname, ports: { type: 'array', items: port, minItems: 1 } },
          },
        },
        switchCidrs: {
          type: 'array',
          nullable: true,
          items: { type: 'string', pattern: '^[0-9a-fA-F:.]+/\\d{1,3}$' },
        },
        allowlist: { type: 'array', items: hostname, nullable: true },
        paymentSinkhole: {
          type: 'object',
          nullable: true,
          additionalProperties: false,
          required: [],
          properties: {
            declineLast4: { type: 'array', nullable: true, items: { type: 'string', pattern: '^\\d{4}$' } },
            declineAboveCents: { type: 'integer', minimum: 0, nullable: true },
          },
        },
      },
    },
    verify: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: [],
      properties: {
        tolerance: { type: 'number', minimum: 0, maximum: 1000000, nullable: true },
        control: { type: 'string', enum: ['production-release'], nullable: true },
        controlNoiseRows: { type: 'integer', minimum: 0, nullable: true },
        expectedProvisioning: { type: 'array', nullable: true, items: { type: 'string', minLength: 1, maxLength: 64 } },
        stateDifferential: {
          type: 'object',
          nullable: true,
          additionalProperties: false,
          required: [],
          properties: {
            ignore: {
              type: 'array',
              nullable: true,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['reason'],
                properties: {
                  table: { type: 'string', nullable: true, pattern: '^[A-Za-z_][A-Za-z0-9_$]{0,127}$' },
                  column: { type: 'string', nullable: true, pattern: '^[A-Za-z_][A-Za-z0-9_$]{0,127}\\.[A-Za-z_][A-Za-z0-9_$ ]{0,127}$' },
                  reason: { type: 'string', minLength: 10, maxLength: 500 },
                },
              },
            },
          },
        },
        expectedPermissionChanges: {
          type: 'array',
          nullable: true,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['role', 'permission', 'reason'],
            properties: {
              role: { type: 'string', minLength: 1, maxLength: 128 },
              permission: { type: 'string', minLength: 1, maxLength: 128 },
              reason: { type: 'string', minLength: 10, maxLength: 2000 },
            },
          },
        },
        expectedStaffPermissionChanges: {
          type: 'array',
          nullable: true,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['permission'],
            properties: {
              user: { type: 'string', nullable: true, minLength: 1, maxLength: 256 },
              role: { type: 'string', nullable: true, minLength: 1, maxLength: 128 },
              permission: { type: 'string', minLength: 1, maxLength: 128 },
              reason: { type: 'string', nullable: true, minLength: 10, maxLength: 2000 },
              releaseNote: { type: 'string', nullable: true, minLength: 1, maxLength: 64 },
            },
          },
        },
      },
    },
    report: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: [],
      properties: { dir: { ...nonEmpty, nullable: true } },
    },
    releaseNotes: { ...releaseNotesSchema, nullable: true },
    platformOverrides: platformOverridesSchema,
  },
};
