import { existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { loadValidatedYaml, type LocatedYaml } from '../config/validated-yaml.js';
import { ConfigErrors, type ConfigError } from '../errors.js';
import { planSchema, type PlanFile } from './schema.js';
import type { ExpectedStaffPermissionChange, Plan, PlatformOverridesPlan, ProductionResultPlan, SnapshotPlan } from './types.js';
import type { ReleaseNote } from '../release-notes/types.js';
import { DEFAULT_BATCH_ROWS } from '../sanitize/batches.js';
import { loadAdapter } from '../platform/load-adapter.js';
import { PROJECT_ROOT } from '../runtime/typescript-process.js';
import type { PlatformAdapter } from '../platform/types.js';
import { releaseNotesFromPlan } from '../release-notes/validate.js';
import { validateProbes } from '../probes/validate.js';
import type { ProbePlan } from '../probes/types.js';

/** Loads and validates a plan; throws ConfigErrors (every problem, with file:line:column) before anything runs. */
export function loadPlan(file: string): Plan {
  const absolute = resolve(file);
  const located = loadValidatedYaml<PlanFile>(absolute, planSchema, 'plan');
  const raw = located.value;
  const base = dirname(absolute);
  const errors: ConfigError[] = [];

  const existingFile = (path: string, at: (string | number)[], what: string): string => {
    const full = resolve(base, path);
    if (!existsSync(full)) {
      errors.push(located.errorAt(at, `${what} ${full} does not exist`));
    } else if (!statSync(full).isFile()) {
      errors.push(located.errorAt(at, `${what} ${full} is not a file`));
    }
    return full;
  };

  checkDate(located, raw.billRun.date, errors);
  const engine = raw.database?.engine ?? 'sqlite';
  const catalogue = raw.snapshot.catalogue !== undefined ? snapshotCatalogue(located, base, engine, errors) : undefined;
  if (catalogue === undefined) {
    for (const key of ['maxAgeHours', 'billRunStartedAt'] as const) {
      if (raw.snapshot[key] !== undefined) errors.push(located.errorAt(['snapshot', key], `\`snapshot.${key}\` applies to a snapshot catalogue (\`snapshot.catalogue\`), which this plan does not name`));
    }
  }
  const sources = engine === 'sqlite' ? sqliteFiles(located, base, existingFile, errors, catalogue !== undefined) : sqlServerSources(located, errors, catalogue !== undefined);
  const snapshot: SnapshotPlan = catalogue ?? sources.snapshot;
  const { productionResult } = sources;
  const rules = existingFile(raw.sanitize.rules, ['sanitize', 'rules'], 'sanitize rule set');
  const productionLedger = productionLedgerFile(located, base, snapshot, existingFile, errors);

  const safeDomain = raw.sanitize.safeDomain ?? 'rehearsal.invalid';
  const productionDomains = checkProductionDomains(located, safeDomain, errors);

  const adapter = platformAdapter(located, base);
  const releases = Object.keys(adapter.releases);
  const release = raw.platform.release ?? releases[releases.length - 1] ?? '';
  if (!releases.includes(release)) errors.push(located.errorAt(['platform', 'release'], `release \`${release}\` is not one of ${adapter.file}'s releases: ${releases.join(', ')}`));
  const faults = raw.platform.faults ?? [];
  const switches = adapter.regressionSwitches;
  faults.forEach((fault, i) => {
    if (switches?.switches.includes(fault) !== true) {
      errors.push(located.errorAt(['platform', 'faults', i], `unknown fault switch \`${fault}\`; expected one of: ${switches?.switches.join(', ') ?? `none (${adapter.file} declares no regression switches)`}`));
    }
  });
  if (faults.length > 0 && switches !== undefined && release !== switches.release) {
    errors.push(located.errorAt(['platform', 'faults'], `fault switches apply to the ${switches.release} release only; set \`platform.release: ${switches.release}\``));
  }
  if (!adapter.engines.includes(raw.database?.engine ?? 'sqlite')) {
    errors.push(located.errorAt(['database'], `the platform adapter ${adapter.file} supports ${adapter.engines.join(', ')} only`));
  }

  if (raw.target === 'aws' && engine !== 'mssql') {
    errors.push(located.errorAt(['target'], 'target `aws` restores SQL Server (the environment Pulumi builds has no SQLite): set `database.engine: mssql`'));
  }
  if (engine === 'mssql') {
    if (raw.database?.server === undefined) errors.push(located.errorAt(['database'], 'SQL Server needs `database.server`: the server named as the rehearsal target'));
    if (raw.database?.connectionStringEnv === undefined) {
      errors.push(located.errorAt(['database'], 'SQL Server needs `database.connectionStringEnv`: the environment variable that holds the connection string'));
    }
  }

  const accounts = new Set<string>();
  (raw.scenarios ?? []).forEach((s, i) => {
    if (accounts.has(s.account)) errors.push(located.errorAt(['scenarios', i, 'account'], `account ${s.account} is listed twice`));
    accounts.add(s.account);
  });
  const checklistIds = new Set<string>();
  const probes = new Map<string, ProbePlan[]>();
  (raw.checklist ?? []).forEach((item, i) => {
    if (checklistIds.has(item.id)) errors.push(located.errorAt(['checklist', i, 'id'], `checklist id ${item.id} is used twice`));
    checklistIds.add(item.id);
    if ((item.checks ?? []).length === 0 && item.signOff === undefined && item.probes === undefined) {
      errors.push(located.errorAt(['checklist', i], `checklist item ${item.id} needs \`checks\` or \`probes\` (automated) or \`signOff\` (who confirms it by hand)`));
    }
    if (item.probes !== undefined) {
      const context = { itemId: item.id, at: ['checklist', i], base, adapter, scenarioAccounts: accounts, target: raw.target, errorAt: located.errorAt.bind(located) };
      probes.set(item.id, validateProbes(item.probes, context, errors));
    }
  });

  checkStateDifferentialIgnore(located, errors);
  const expectedGrants = new Set<string>();
  (raw.verify?.expectedPermissionChanges ?? []).forEach((change, i) => {
    const key = `${change.role}\u0000${change.permission}`;
    if (expectedGrants.has(key)) errors.push(located.errorAt(['verify', 'expectedPermissionChanges', i], `${change.permission} for role ${change.role} is listed twice`));
    expectedGrants.add(key);
  });

  const releaseNotes = releaseNotesFromPlan(located, raw.releaseNotes ?? [], errors);
  const expectedStaffPermissionChanges = loadExpectedStaffPermissionChanges(located, releaseNotes, errors);
  releaseNotes.forEach((note, i) => {
    if (note.signOff !== undefined && checklistIds.has(`release-note.${note.id}`)) errors.push(located.errorAt(['releaseNotes', i, 'signOff'], `the checklist already has an item release-note.${note.id}; the sign-off of this release note is that item`));
  });
  const platformOverrides = loadPlatformOverrides(located, adapter, errors);

  if (errors.length > 0) throw new ConfigErrors(errors);

  return {
    version: 1,
    file: absolute,
    releaseCandidate: raw.releaseCandidate,
    target: raw.target,
    platform: { adapter, release, faults },
    database: {
      engine,
      ...(raw.database?.server !== undefined ? { server: raw.database.server } : {}),
      ...(raw.database?.connectionStringEnv !== undefined ? { connectionStringEnv: raw.database.connectionStringEnv } : {}),
    },
    ...(raw.sample !== undefined ? { sample: raw.sample } : {}),
    snapshot,
    productionResult: productionLedger === undefined ? productionResult : { ...productionResult, ledger: productionLedger },
    billRun: {
      date: raw.billRun.date,
      timeoutSeconds: raw.billRun.timeoutSeconds ?? 1800,
      configuration: {
        emailInvoices: raw.billRun.configuration?.emailInvoices ?? true,
        chargeAutoPay: raw.billRun.configuration?.chargeAutoPay ?? true,
        provision: raw.billRun.configuration?.provision ?? true,
      },
    },
    sanitize: {
      rules,
      safeDomain,
      secretEnv: raw.sanitize.secretEnv ?? 'REHEARSAL_SANITIZE_SECRET',
      allow: raw.sanitize.allow ?? [],
      productionDomains,
      batchRows: raw.sanitize.batchRows ?? DEFAULT_BATCH_ROWS,
    },
    scenarios: (raw.scenarios ?? []).map((s) => ({ account: s.account, why: s.why, expect: s.expect })),
    checklist: (raw.checklist ?? []).map((c) => ({
      id: c.id,
      title: c.title,
      checks: c.checks ?? [],
      ...(c.signOff !== undefined ? { signOff: c.signOff } : {}),
      probes: probes.get(c.id) ?? [],
    })),
    egress: {
      policy: raw.egress?.policy ?? 'deny-all',
      mailServers: raw.egress?.mailServers ?? [],
      switches: raw.egress?.switches ?? [],
      switchCidrs: raw.egress?.switchCidrs ?? [],
      allowlist: raw.egress?.allowlist ?? [],
      ...(raw.egress?.paymentSinkhole !== undefined ? { paymentSinkhole: raw.egress.paymentSinkhole } : {}),
    },
    verify: {
      tolerance: raw.verify?.tolerance ?? 0,
      ...(raw.verify?.expectedProvisioning ? { expectedProvisioning: raw.verify.expectedProvisioning } : {}),
      expectedPermissionChanges: raw.verify?.expectedPermissionChanges ?? [],
      expectedStaffPermissionChanges,
      stateDifferential: { ignore: raw.verify?.stateDifferential?.ignore ?? [] },
      ...(raw.verify?.control !== undefined ? { control: raw.verify.control } : {}),
      controlNoiseRows: raw.verify?.controlNoiseRows ?? 0,
    },
    report: { dir: raw.report?.dir !== undefined ? resolve(base, raw.report.dir) : resolve('reports') },
    releaseNotes,
    platformOverrides,
  };
}

/**
 * `verify.expectedStaffPermissionChanges`: each entry names one of `user` or `role`, and says why
 * with `reason` or a `releaseNote` of this plan (whose title becomes the reason); listed once.
 */
function loadExpectedStaffPermissionChanges(located: LocatedYaml<PlanFile>, releaseNotes: readonly ReleaseNote[], errors: ConfigError[]): ExpectedStaffPermissionChange[] {
  const firstLine = new Map<string, number>();
  return (located.value.verify?.expectedStaffPermissionChanges ?? []).flatMap((change, i) => {
    const at = (...rest: string[]): (string | number)[] => ['verify', 'expectedStaffPermissionChanges', i, ...rest];
    if ((change.user === undefined) === (change.role === undefined)) {
      errors.push(located.errorAt(at(), `say whose ${change.permission} is expected with one of \`user\` (the staff login as production names it, or masked as the report shows it) or \`role\` (every user holding that role), not both`));
      return [];
    }
    const note = change.releaseNote === undefined ? undefined : releaseNotes.find((n) => n.id === change.releaseNote);
    if (change.releaseNote !== undefined && note === undefined) {
      const ids = releaseNotes.map((n) => n.id);
      errors.push(located.errorAt(at('releaseNote'), `the plan has no release note ${change.releaseNote}; ${ids.length > 0 ? `its releaseNotes: ${ids.join(', ')}` : 'add it under `releaseNotes`, or give a `reason` instead'}`));
    }
    if (change.reason === undefined && change.releaseNote === undefined) {
      errors.push(located.errorAt(at(), `say why ${change.permission} is expected: a \`reason\` (10 characters or more) or the \`releaseNote\` that explains it; the report shows it beside the grant`));
    } else if (change.reason !== undefined && change.reason.trim().length < 10) {
      errors.push(located.errorAt(at('reason'), 'say why this staff permission is expected (10 characters or more other than spaces), so the report can show it'));
    }
    const who = change.user !== undefined ? `user ${change.user}` : `role ${change.role ?? ''}`;
    const key = `${who}\u0000${change.permission}`;
    const seen = firstLine.get(key);
    if (seen !== undefined) errors.push(located.errorAt(at('permission'), `${change.permission} for ${who} is already expected at line ${seen}; list it once`));
    else firstLine.set(key, located.locate(at()).line);
    const reason = change.reason ?? (note !== undefined ? `release note ${note.id}: ${note.title}` : '');
    return [{ ...(change.user !== undefined ? { user: change.user } : { role: change.role ?? '' }), permission: change.permission, reason, ...(change.releaseNote !== undefined ? { releaseNote: change.releaseNote } : {}) }];
  });
}

/** `platformOverrides`: each item overridden once; each service enabled is one the adapter lists, with a `start` command. */
function loadPlatformOverrides(located: LocatedYaml<PlanFile>, adapter: PlatformAdapter, errors: ConfigError[]): PlatformOverridesPlan {
  const raw = located.value.platformOverrides;
  const seenItems = new Set<string>();
  const configuration = (raw?.configuration ?? []).map((override, i) => {
    const path = ['platformOverrides', 'configuration', i];
    if (seenItems.has(override.item)) errors.push(located.errorAt(path, `bill-run configuration item ${override.item} is overridden twice`));
    if (override.reason.trim().length < 10) errors.push(located.errorAt([...path, 'reason'], 'say why the rehearsal must differ from production here (10 characters or more), so the report can show it'));
    seenItems.add(override.item);
    const p = located.locate(path);
    return { ...override, at: `${located.file}:${p.line}:${p.column}` };
  });
  const seenServices = new Set<string>();
  const enableServices = (raw?.enableServices ?? []).map((enabled, i) => {
    const path = ['platformOverrides', 'enableServices', i, 'service'];
    if (seenServices.has(enabled.service)) errors.push(located.errorAt(path, `service ${enabled.service} is enabled twice`));
    if (enabled.reason.trim().length < 10) errors.push(located.errorAt(['platformOverrides', 'enableServices', i, 'reason'], 'say why this service must run during the bill run (10 characters or more), so the report can show it'));
    seenServices.add(enabled.service);
    const service = adapter.services.find((s) => s.name === enabled.service);
    const known = adapter.services.map((s) => s.name);
    if (service === undefined) {
      errors.push(located.errorAt(path, `the platform adapter ${adapter.file} lists no service ${enabled.service}; it lists ${known.length > 0 ? known.join(', ') : 'none'}`));
    } else if (service.start === undefined) {
      errors.push(located.errorAt(path, `service ${enabled.service} has no \`start\` command in ${adapter.file}, so the rehearsal cannot run it; add one there or drop it from the plan`));
    }
    return enabled;
  });
  return { configuration, enableServices };
}

type ExistingFile = (path: string, at: (string | number)[], what: string) => string;

/** SQLite: both are files beside the plan (or, with `sample`, files the generator will write). */
function sqliteFiles(
  located: LocatedYaml<PlanFile>,
  base: string,
  existingFile: ExistingFile,
  errors: ConfigError[],
  fromCatalogue: boolean,
): { snapshot: SnapshotPlan; productionResult: ProductionResultPlan } {
  const raw = located.value;
  for (const key of ['backupFile', 's3Arn', 'database'] as const) {
    if (raw.snapshot[key] !== undefined) errors.push(located.errorAt(['snapshot', key], `\`snapshot.${key}\` is a SQL Server source; with a SQLite database give \`snapshot.path\``));
  }
  if (raw.productionResult.database !== undefined) {
    errors.push(located.errorAt(['productionResult', 'database'], '`productionResult.database` is a SQL Server database; with a SQLite database give `productionResult.path`'));
  }
  const file = (path: string | undefined, block: 'snapshot' | 'productionResult', what: string): string => {
    if (path === undefined && block === 'snapshot' && fromCatalogue) return '';
    if (path === undefined) {
      errors.push(located.errorAt([block], `\`${block}.path\` is required: the ${what} file (SQLite)`));
      return '';
    }
    return raw.sample !== undefined ? resolve(base, path) : existingFile(path, [block, 'path'], what);
  };
  const snapshot = file(raw.snapshot.path, 'snapshot', 'snapshot');
  const productionResult = file(raw.productionResult.path, 'productionResult', 'production result');
  if (raw.sample !== undefined && snapshot !== '' && productionResult !== '') checkSampleLayout(located, snapshot, productionResult, errors);
  if (snapshot !== '' && snapshot === productionResult) {
    errors.push(located.errorAt(['productionResult', 'path'], 'the production result must be a different file from the snapshot'));
  }
  return { snapshot: { kind: 'sqlite-file', path: snapshot }, productionResult: { kind: 'sqlite-file', path: productionResult } };
}

/**
 * SQL Server: the snapshot is one of three server-side sources, and production's result is a
 * database on the rehearsal server. Files on the server are not checked from here: the server
 * reads them, not this process.
 */
function sqlServerSources(located: LocatedYaml<PlanFile>, errors: ConfigError[], fromCatalogue: boolean): { snapshot: SnapshotPlan; productionResult: ProductionResultPlan } {
  const raw = located.value;
  const { path, backupFile, s3Arn, database } = raw.snapshot;
  if (path !== undefined) {
    errors.push(located.errorAt(['snapshot', 'path'], 'with `database.engine: mssql` the snapshot is on the server: give `backupFile` (a .bak the server reads), `s3Arn` (Amazon RDS) or `database` (restored from a DB snapshot)'));
  }
  if (raw.sample !== undefined) {
    errors.push(located.errorAt(['sample'], 'the `sample` generator writes SQLite files; load a generated sample into SQL Server with the stand-in\'s own loader (see its README) and name it in `snapshot`'));
  }
  if (raw.productionResult.path !== undefined) {
    errors.push(located.errorAt(['productionResult', 'path'], 'with `database.engine: mssql` production\'s result is a database on the rehearsal server: give `productionResult.database`'));
  }
  const given = [backupFile, s3Arn, database].filter((v) => v !== undefined).length;
  if (given !== 1 && path === undefined && !fromCatalogue) {
    errors.push(located.errorAt(['snapshot'], `give exactly one of \`backupFile\`, \`s3Arn\` or \`database\` (${given} given)`));
  }
  const productionDatabase = raw.productionResult.database;
  if (productionDatabase === undefined && raw.productionResult.path === undefined) {
    errors.push(located.errorAt(['productionResult'], '`productionResult.database` is required: production\'s post-bill-run copy on the rehearsal server'));
  }
  if (database !== undefined && productionDatabase !== undefined && database.toLowerCase() === productionDatabase.toLowerCase()) {
    errors.push(located.errorAt(['productionResult', 'database'], 'production\'s result must be a different database from the snapshot'));
  }
  let snapshot: SnapshotPlan;
  if (backupFile !== undefined) snapshot = { kind: 'mssql-backup-file', backupFile };
  else if (s3Arn !== undefined) snapshot = { kind: 'rds-s3-backup', s3Arn };
  else snapshot = { kind: 'mssql-database', database: database ?? '' };
  return { snapshot, productionResult: { kind: 'mssql-database', database: productionDatabase ?? '' } };
}

/**
 * `snapshot.catalogue`: exactly one kind of catalogue, instead of one source. A SQLite folder is
 * on this machine (relative to the plan); a SQL Server folder is as the server sees it, so it is
 * not checked from here.
 */
function snapshotCatalogue(located: LocatedYaml<PlanFile>, base: string, engine: 'sqlite' | 'mssql', errors: ConfigError[]): SnapshotPlan | undefined {
  const raw = located.value;
  const given = raw.snapshot.catalogue;
  if (given === undefined) return undefined;
  for (const key of ['path', 'backupFile', 's3Arn', 'database'] as const) {
    if (raw.snapshot[key] !== undefined) errors.push(located.errorAt(['snapshot', key], `\`snapshot.${key}\` names one source and \`snapshot.catalogue\` many; keep one of them`));
  }
  if (raw.sample !== undefined) errors.push(located.errorAt(['snapshot', 'catalogue'], 'the sample generator writes one snapshot.db; with `sample` give `snapshot.path`, not a catalogue'));
  const options = {
    ...(raw.snapshot.maxAgeHours !== undefined ? { maxAgeHours: raw.snapshot.maxAgeHours } : {}),
    ...(raw.snapshot.billRunStartedAt !== undefined ? { billRunStartedAt: new Date(raw.snapshot.billRunStartedAt).toISOString() } : {}),
  };
  if (raw.snapshot.billRunStartedAt !== undefined && Number.isNaN(Date.parse(raw.snapshot.billRunStartedAt))) {
    errors.push(located.errorAt(['snapshot', 'billRunStartedAt'], `\`snapshot.billRunStartedAt\` ${raw.snapshot.billRunStartedAt} is not a time`));
    return undefined;
  }
  if (given.folder !== undefined) {
    let folder = given.folder;
    if (engine === 'sqlite') {
      folder = resolve(base, given.folder);
      if (!existsSync(folder)) errors.push(located.errorAt(['snapshot', 'catalogue', 'folder'], `snapshot catalogue ${folder} does not exist`));
      else if (!statSync(folder).isDirectory()) errors.push(located.errorAt(['snapshot', 'catalogue', 'folder'], `snapshot catalogue ${folder} is not a folder`));
    }
    return { kind: 'catalogue', catalogue: { source: { kind: 'folder', folder }, ...options } };
  }
  if (engine === 'sqlite') {
    const key = given.s3Prefix !== undefined ? 's3Prefix' : 'rdsSnapshots';
    errors.push(located.errorAt(['snapshot', 'catalogue', key], `\`snapshot.catalogue.${key}\` holds SQL Server backups; with a SQLite database give \`snapshot.catalogue.folder\``));
    return undefined;
  }
  if (given.s3Prefix !== undefined) return { kind: 'catalogue', catalogue: { source: { kind: 's3-prefix', s3Prefix: given.s3Prefix }, ...options } };
  if (given.rdsSnapshots !== undefined) {
    if (raw.target !== 'aws') errors.push(located.errorAt(['snapshot', 'catalogue', 'rdsSnapshots'], 'RDS DB snapshots are restored by the Pulumi program: `snapshot.catalogue.rdsSnapshots` needs `target: aws`'));
    if (raw.snapshot.billRunStartedAt === undefined) {
      errors.push(located.errorAt(['snapshot', 'catalogue', 'rdsSnapshots'], "the Pulumi program picks the RDS DB snapshot before production's result can be read: give the bill run's start in `snapshot.billRunStartedAt`"));
    }
    return { kind: 'catalogue', catalogue: { source: { kind: 'rds-snapshots', tags: given.rdsSnapshots.tags, database: given.rdsSnapshots.database }, ...options } };
  }
  return undefined;
}

/** The sample platform's generator writes both files into one folder under fixed names. */
/** A stand-in's generator writes both files into one folder under fixed names. */
function checkSampleLayout(located: LocatedYaml<PlanFile>, snapshot: string, productionResult: string, errors: ConfigError[]): void {
  if (basename(snapshot) !== 'snapshot.db') errors.push(located.errorAt(['snapshot', 'path'], 'with `sample`, the snapshot must be named snapshot.db (the generator writes it)'));
  if (basename(productionResult) !== 'production-result.db' || dirname(productionResult) !== dirname(snapshot)) {
    errors.push(located.errorAt(['productionResult', 'path'], 'with `sample`, the production result must be production-result.db in the snapshot\'s folder'));
  }
}

/** DNS names of one or more labels; the last label starts with a letter, so an IP address is not one. */
const DOMAIN_NAME = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * `sanitize.productionDomains`, lower case: host names only, and none that holds the safe domain
 * or lies under it (masked e-mails would then read as production hosts, or the reverse).
 */
function checkProductionDomains(located: LocatedYaml<PlanFile>, safeDomain: string, errors: ConfigError[]): string[] {
  const safe = safeDomain.toLowerCase().replace(/\.$/, '');
  return (located.value.sanitize.productionDomains ?? []).map((written, i) => {
    const domain = written.toLowerCase().replace(/\.$/, '');
    const at = ['sanitize', 'productionDomains', i];
    if (!DOMAIN_NAME.test(domain)) {
      errors.push(located.errorAt(at, `\`${written.slice(0, 80)}\` is not a domain name: give the DNS domain alone, e.g. northwind-telecom.example (no scheme, user, port, path, wildcard or IP address)`));
    } else if (domain === safe || safe.endsWith(`.${domain}`) || domain.endsWith(`.${safe}`)) {
      errors.push(located.errorAt(at, `production domain ${domain} overlaps the safe domain ${safe} (\`sanitize.safeDomain\`): masked values would read as production hosts; choose a safe domain outside production's`));
    }
    return domain;
  });
}

/** Production's sinkhole ledger, when the plan names one: a file, or with `sample` the one the generator writes beside the snapshot. */
function productionLedgerFile(located: LocatedYaml<PlanFile>, base: string, snapshot: SnapshotPlan, existingFile: ExistingFile, errors: ConfigError[]): string | undefined {
  const raw = located.value;
  const path = raw.productionResult.ledger;
  if (path === undefined) return undefined;
  if (raw.sample === undefined) return existingFile(path, ['productionResult', 'ledger'], "production's ledger");
  const full = resolve(base, path);
  if (snapshot.kind === 'sqlite-file' && (basename(full) !== 'production-ledger.jsonl' || dirname(full) !== dirname(snapshot.path))) {
    errors.push(located.errorAt(['productionResult', 'ledger'], "with `sample`, production's ledger must be production-ledger.jsonl in the snapshot's folder"));
  }
  return full;
}

function checkDate(located: LocatedYaml<PlanFile>, date: string, errors: ConfigError[]): void {
  const parsed = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) {
    errors.push(located.errorAt(['billRun', 'date'], `\`billRun.date\` ${date} is not a calendar date (YYYY-MM-DD)`));
  }
}

/**
 * Each ignored table or column once, with a reason a reviewer can read; a column rule for a table
 * ignored whole would say nothing, so it is refused rather than silently shadowed.
 */
function checkStateDifferentialIgnore(located: LocatedYaml<PlanFile>, errors: ConfigError[]): void {
  const rules = located.value.verify?.stateDifferential?.ignore ?? [];
  const at = (i: number, ...rest: string[]): (string | number)[] => ['verify', 'stateDifferential', 'ignore', i, ...rest];
  const firstLine = new Map<string, number>();
  const wholeTables = new Set(rules.flatMap((r) => (r.table !== undefined && r.column === undefined ? [r.table] : [])));
  rules.forEach((rule, i) => {
    if ((rule.table === undefined) === (rule.column === undefined)) {
      errors.push(located.errorAt(at(i), 'an ignore rule names either `table` or `column` (as table.column), not both and not neither'));
      return;
    }
    if (rule.reason.trim().length < 10) errors.push(located.errorAt(at(i, 'reason'), 'say why this may differ from production (at least 10 characters other than spaces): the report lists it for reviewers'));
    const what = rule.table ?? rule.column ?? '';
    const seen = firstLine.get(what);
    if (seen !== undefined) errors.push(located.errorAt(at(i), `\`${what}\` is already ignored at line ${seen}; list it once`));
    else firstLine.set(what, located.locate(at(i)).line);
    const table = rule.column?.slice(0, rule.column.indexOf('.'));
    if (table !== undefined && wholeTables.has(table)) errors.push(located.errorAt(at(i, 'column'), `table \`${table}\` is ignored whole, so \`${rule.column ?? ''}\` is not compared anyway; remove one of the two rules`));
  });
}

/**
 * The plan's platform adapter: `platform.adapter` (a folder, relative to the plan), or
 * `platform.kind: <name>` for `platforms/<name>/` of this project. Its own errors (file:line:column
 * in the adapter) are thrown as they are: nothing is created before the plan and adapter are valid.
 */
function platformAdapter(located: LocatedYaml<PlanFile>, base: string): PlatformAdapter {
  const { kind, adapter } = located.value.platform;
  if ((kind === undefined) === (adapter === undefined)) {
    throw new ConfigErrors([located.errorAt(['platform'], 'name the platform with `adapter: <folder>` (its adapter.yaml) or `kind: <name>` (platforms/<name>/ of this project), one of them')]);
  }
  return loadAdapter(adapter !== undefined ? resolve(base, adapter) : resolve(PROJECT_ROOT, 'platforms', kind ?? ''));
}
