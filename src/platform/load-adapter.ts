import safeRegex from 'safe-regex2';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadValidatedYaml, type LocatedYaml } from '../config/validated-yaml.js';
import { ConfigError, ConfigErrors, UserError } from '../errors.js';
import { adapterSchema, type AdapterFile } from './adapter-schema.js';
import { CONCEPT_NAMES, conceptDefinition, isConceptName, type ConceptName } from './concepts.js';
import { QueryTemplate } from './query-template.js';
import type { LocatedQuery, PlatformAdapter, Position } from './types.js';
import { amountPatternReadsCurrency } from '../sinkholes/attribution.js';

export const ADAPTER_FILE = 'adapter.yaml';

/**
 * Loads `<dir>/adapter.yaml` and validates it before anything runs: the schema, then every query
 * (known concept, known parameters, no ORDER BY of its own, one per engine the adapter supports),
 * the driver's steps and the outbound patterns. Every problem at once, as file:line:column.
 */
export function loadAdapter(dirOrFile: string): PlatformAdapter {
  const given = resolve(dirOrFile);
  const file = existsSync(given) && statSync(given).isDirectory() ? join(given, ADAPTER_FILE) : given;
  if (!existsSync(file)) {
    throw new UserError(`There is no platform adapter at ${given}: expected ${file}. An adapter is a folder under platforms/ holding ${ADAPTER_FILE} (see docs/platforms.md).`);
  }
  const located = loadValidatedYaml<AdapterFile>(file, adapterSchema, 'platform adapter');
  const raw = located.value;
  const dir = dirname(file);
  const lines = readFileSync(file, 'utf8').split('\n');
  const errors: ConfigError[] = [];

  const queries: LocatedQuery[] = [];
  for (const [concept, entry] of Object.entries(raw.profile)) {
    if (!isConceptName(concept)) {
      errors.push(located.errorAt(['profile', concept], `unknown concept \`${concept}\`; the product reads these: ${CONCEPT_NAMES.join(', ')}`));
      continue;
    }
    const variants = typeof entry === 'string' ? [['any', entry] as const] : (Object.entries(entry).filter(([, text]) => text !== undefined) as [('sqlite' | 'tsql'), string][]);
    for (const [dialect, text] of variants) {
      const path = typeof entry === 'string' ? ['profile', concept] : ['profile', concept, dialect];
      const query = locateQuery(located, lines, path, concept, dialect, text);
      checkQuery(query, located.file, errors);
      queries.push(query);
    }
    if (typeof entry !== 'string') {
      for (const engine of raw.engines) {
        const dialect = engine === 'sqlite' ? 'sqlite' : 'tsql';
        if (entry[dialect] === undefined) errors.push(located.errorAt(['profile', concept], `concept \`${concept}\` has no \`${dialect}\` query, but the adapter lists engine ${engine}`));
      }
    }
  }

  const switches = raw.regressionSwitches;
  if (switches !== undefined && !Object.hasOwn(raw.releases, switches.release)) {
    errors.push(located.errorAt(['regressionSwitches', 'release'], `release \`${switches.release}\` is not one of the adapter's releases: ${Object.keys(raw.releases).join(', ')}`));
  }
  const driver = checkDriver(located, dir, errors);
  const outbound = checkOutbound(located, errors);
  const services = raw.services ?? [];
  const serviceNames = new Set<string>();
  services.forEach((s, i) => {
    if (serviceNames.has(s.name)) errors.push(located.errorAt(['services', i, 'name'], `service \`${s.name}\` is listed twice`));
    serviceNames.add(s.name);
  });
  const externalWarnings = raw.eventLog?.externalWarnings ?? [];
  const externalKinds = new Set<string>();
  externalWarnings.forEach((w, i) => {
    const kind = `${w.module}/${w.action}`;
    if (externalKinds.has(kind)) errors.push(located.errorAt(['eventLog', 'externalWarnings', i], `warning kind ${kind} is listed twice`));
    externalKinds.add(kind);
    (w.messages ?? []).forEach((pattern, j) => checkMessagePattern(located, ['eventLog', 'externalWarnings', i, 'messages', j], kind, pattern, errors));
  });
  const generator = raw.generator === undefined ? undefined : resolve(dir, raw.generator.program);
  if (generator !== undefined && !existsSync(generator)) errors.push(located.errorAt(['generator', 'program'], `generator ${generator} does not exist`));
  if (errors.length > 0) throw new ConfigErrors(errors);
  return {
    name: raw.name,
    title: raw.title,
    status: raw.status,
    dir,
    file,
    engines: raw.engines,
    releases: raw.releases,
    ...(switches !== undefined ? { regressionSwitches: switches } : {}),
    driver,
    services,
    outbound,
    externalWarnings,
    queries,
    accountIdentity: { table: raw.accountIdentity.table, key: raw.accountIdentity.column },
    ...(generator !== undefined ? { generator } : {}),
  };
}


function locateQuery(located: LocatedYaml<AdapterFile>, lines: readonly string[], path: (string | number)[], concept: ConceptName, dialect: LocatedQuery['dialect'], text: string): LocatedQuery {
  const at = located.locate(path);
  const source = lines[at.line - 1] ?? '';
  const indicator = source.slice(at.column - 1).trimStart()[0];
  const block = indicator === '|' || indicator === '>';
  // A block scalar's indentation is its first non-empty line's; deeper lines keep the rest in the text.
  const blockIndent = /^ */.exec(lines.slice(at.line).find((l) => l.trim() !== '') ?? '')?.[0].length ?? 0;
  const locate = (offset: number): Position => {
    const before = text.slice(0, offset);
    const lineIndex = before.split('\n').length - 1;
    const column = offset - (before.lastIndexOf('\n') + 1);
    if (!block) return { line: at.line, column: at.column + column + (indicator === '"' || indicator === "'" ? 1 : 0) };
    return { line: at.line + 1 + lineIndex, column: blockIndent + column + 1 };
  };
  return { concept, dialect, template: new QueryTemplate(text), file: located.file, at, locate };
}

function checkQuery(query: LocatedQuery, file: string, errors: ConfigError[]): void {
  const definition = conceptDefinition(query.concept);
  const error = (offset: number, detail: string): ConfigError => {
    const p = query.locate(offset);
    return new ConfigError(file, p.line, p.column, detail);
  };
  for (const use of query.template.parameters) {
    if (!(definition.parameters as readonly string[]).includes(use.name)) {
      const allowed = definition.parameters.length > 0 ? definition.parameters.map((p) => `:${p}`).join(', ') : 'none';
      errors.push(error(use.offset, `concept \`${query.concept}\` has no parameter \`:${use.name}\`; it takes ${allowed}`));
    }
  }
  for (const offset of query.template.topLevelOrderBy()) {
    errors.push(error(offset, `concept \`${query.concept}\`: leave ORDER BY out; the product orders and narrows the rows itself`));
  }
}

function checkDriver(located: LocatedYaml<AdapterFile>, dir: string, errors: ConfigError[]): PlatformAdapter['driver'] {
  const driver = located.value.driver;
  const need = (key: keyof typeof driver, why: string): void => {
    if (driver[key] === undefined) errors.push(located.errorAt(['driver'], `a \`${driver.kind}\` driver needs \`driver.${String(key)}\`: ${why}`));
  };
  const kindOf = (step: unknown): 'sql' | 'command' | undefined => (step === undefined ? undefined : typeof step === 'object' && step !== null && 'sql' in step ? 'sql' : 'command');
  switch (driver.kind) {
    case 'module': {
      need('module', 'the TypeScript module beside the adapter that exports `createDriver`');
      if (driver.module === undefined) return driver;
      const module = resolve(dir, driver.module);
      if (!existsSync(module)) errors.push(located.errorAt(['driver', 'module'], `driver module ${module} does not exist`));
      return { ...driver, module };
    }
    case 'commands':
    case 'ssm':
      need('begin', 'the command that starts the bill run');
      need('status', 'the command that prints the bill run\'s status as JSON');
      for (const step of ['configure', 'begin', 'status'] as const) {
        if (kindOf(driver[step]) === 'sql') errors.push(located.errorAt(['driver', step], `a \`${driver.kind}\` driver runs commands: write \`run:\`, not \`sql:\``));
      }
      return driver;
    case 'sql':
      need('begin', 'the INSERT or EXEC that requests the bill run');
      need('status', 'the query that reads the bill run\'s state');
      for (const step of ['begin', 'status'] as const) {
        if (kindOf(driver[step]) === 'command') errors.push(located.errorAt(['driver', step], `a \`sql\` driver requests and polls through the database: write \`sql:\`, not \`run:\``));
      }
      return driver;
  }
}

/**
 * A message pattern of a warning kind depending on outside systems: it must compile; must not
 * match an empty message, since such a pattern (`.*`, `x?`) lets every message of the kind through,
 * data problems included, which is what the list is there to keep out; and must not repeat a group
 * that itself repeats (star height above one, as `safe-regex2` judges it), since every warning's
 * message is tested against it and that shape can take exponential time on one long message.
 */
function checkMessagePattern(located: LocatedYaml<AdapterFile>, path: (string | number)[], kind: string, pattern: string, errors: ConfigError[]): void {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch (error) {
    errors.push(located.errorAt(path, `a message of ${kind} is not a regular expression: ${(error as Error).message}. Write one that matches only the messages the outside system causes, e.g. '^INV-\\S+: ECONNREFUSED'`));
    return;
  }
  if (!safeRegex(pattern)) {
    errors.push(located.errorAt(path, `the message pattern ${JSON.stringify(pattern)} of ${kind} repeats a group that itself repeats (like \`(a+)+\`), which can take exponential time on a long message. Write it without the nested repetition (\`(a+)+\` matches what \`a+\` matches)`));
  } else if (regex.test('')) {
    errors.push(located.errorAt(path, `the message pattern ${JSON.stringify(pattern)} of ${kind} matches an empty message, so it would let every message of the kind through, data problems included. Make it match only what the outside system causes, or leave \`messages\` out to give the whole kind the margin`));
  }
}

function checkOutbound(located: LocatedYaml<AdapterFile>, errors: ConfigError[]): PlatformAdapter['outbound'] {
  const outbound = located.value.outbound ?? {};
  /** Reports a pattern that does not compile or has another number of groups; returns its match of the empty text (its `groups` name the named ones), none when it does not compile. */
  const compiles = (pattern: string, path: (string | number)[], groups: number, captures: string): RegExpExecArray | undefined => {
    let regex: RegExp;
    try {
      regex = new RegExp(pattern);
    } catch (error) {
      errors.push(located.errorAt(path, `not a regular expression: ${(error as Error).message}`));
      return undefined;
    }
    const empty = new RegExp(`${regex.source}|`).exec('') ?? undefined;
    const found = empty?.length ?? 1;
    if (found - 1 !== groups) errors.push(located.errorAt(path, `needs exactly ${groups} capture group(s) (${captures}), has ${found - 1}`));
    return empty;
  };
  (outbound.accountPatterns ?? []).forEach((p, i) => compiles(p, ['outbound', 'accountPatterns', i], 1, 'the account number'));
  if (outbound.invoicePattern !== undefined) compiles(outbound.invoicePattern, ['outbound', 'invoicePattern'], 0, 'none: it matches the whole invoice number');
  if (outbound.amountPattern !== undefined) {
    // One group for the amount, or two named ones, `amount` and `currency`, when the currency is read too.
    const named = amountPatternReadsCurrency(outbound.amountPattern);
    const empty = compiles(outbound.amountPattern, ['outbound', 'amountPattern'], named ? 2 : 1, named ? 'named `amount` and `currency`, e.g. `Amount due: (?<amount>[0-9][0-9,]*\\.[0-9]{2}) (?<currency>[A-Z]{3})`' : 'the amount due, e.g. `Amount due: \\D*([0-9][0-9,]*\\.[0-9]{2})`');
    if (named && empty !== undefined && empty.length === 3 && !(empty.groups !== undefined && 'amount' in empty.groups && 'currency' in empty.groups)) {
      errors.push(located.errorAt(['outbound', 'amountPattern'], 'a pattern that reads the currency names both its groups: `(?<amount>…)` for the amount and `(?<currency>…)` for the currency'));
    }
    // The sinkhole runs it over the start of every message (up to 64 KB).
    if (!safeRegex(outbound.amountPattern)) {
      errors.push(located.errorAt(['outbound', 'amountPattern'], `the pattern repeats a group that itself repeats (like \`(a+)+\`), which can take exponential time on a long message. Write it without the nested repetition`));
    }
  }
  return {
    accountPatterns: outbound.accountPatterns ?? [],
    ...(outbound.invoicePattern !== undefined ? { invoicePattern: outbound.invoicePattern } : {}),
    ...(outbound.amountPattern !== undefined ? { amountPattern: outbound.amountPattern } : {}),
  };
}
