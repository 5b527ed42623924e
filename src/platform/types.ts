import type { ConceptName } from './concepts.js';
import type { DriverFile, ExternalWarningFile, ServiceFile } from './adapter-schema.js';
import type { QueryTemplate } from './query-template.js';

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** One concept's query for one dialect (`any`: both), and where the adapter wrote it. */
export interface LocatedQuery {
  readonly concept: ConceptName;
  readonly dialect: 'any' | 'sqlite' | 'tsql';
  readonly template: QueryTemplate;
  readonly file: string;
  /** Where the query's text starts in the adapter file. */
  readonly at: Position;
  /** file:line:column of an offset in the query text. */
  locate(offset: number): Position;
}

/** A platform adapter as loaded and validated from `platforms/<name>/adapter.yaml`. Paths are absolute. */
export interface PlatformAdapter {
  readonly name: string;
  readonly title: string;
  readonly status: 'stand-in' | 'confirmed' | 'unconfirmed';
  readonly dir: string;
  readonly file: string;
  readonly engines: readonly ('sqlite' | 'mssql')[];
  /** Release name → version. */
  readonly releases: Readonly<Record<string, string>>;
  /** Switches that make one release wrong on purpose (stand-ins only), and the release that honours them. */
  readonly regressionSwitches?: { readonly release: string; readonly switches: readonly string[] };
  readonly driver: DriverFile & { readonly module?: string };
  readonly services: readonly ServiceFile[];
  readonly outbound: { readonly accountPatterns: readonly string[]; readonly invoicePattern?: string; readonly amountPattern?: string };
  /** Warning kinds that depend on outside systems: judged by the ratio-and-margin rule, not "any more than production". */
  readonly externalWarnings: readonly Readonly<ExternalWarningFile>[];
  readonly queries: readonly LocatedQuery[];
  readonly accountIdentity: { readonly table: string; readonly key: string };
  /** Absolute path of the stand-in's snapshot generator, when it has one. */
  readonly generator?: string;
}
