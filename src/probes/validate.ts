import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigError } from '../errors.js';
import type { YamlPath } from '../config/validated-yaml.js';
import type { PlatformAdapter } from '../platform/types.js';
import { QueryTemplate } from '../platform/query-template.js';
import { JsonPathError, parseJsonPath } from './json-path.js';
import type { ProbeFile } from './schema.js';
import { selectOnlyProblem } from './select-only.js';
import { templateUses, unknownTemplate } from './templates.js';
import type { JsonExpectation, ProbePlan, ProbeSpec } from './types.js';

const MAX_BODY_BYTES = 256 * 1024;
const DEFAULT_COMMAND_SECONDS = 60;
const SQL_PARAMETERS = new Set(['account', 'billDate']);

export interface ProbeContext {
  readonly itemId: string;
  /** The item's path in the plan (`['checklist', i]`). */
  readonly at: YamlPath;
  readonly base: string;
  readonly adapter: PlatformAdapter;
  readonly scenarioAccounts: ReadonlySet<string>;
  readonly target: 'local' | 'aws';
  errorAt(path: YamlPath, detail: string): ConfigError;
}

const KINDS = ['http', 'sql', 'command', 'job'] as const;
const EXPECTATIONS: Readonly<Record<(typeof KINDS)[number], readonly string[]>> = {
  http: ['status', 'json', 'text'],
  sql: ['rows', 'minRows', 'values'],
  command: ['json'],
  job: ['ledger'],
};

/**
 * Checks a checklist item's probes against the adapter and the plan before anything is created:
 * one kind each, services the adapter declares, JSON paths that parse, `sql` that is one SELECT
 * with known parameters, files that exist, `{{values}}` a probe can have. Every problem is a
 * ConfigError at its place in the plan.
 */
export function validateProbes(files: readonly ProbeFile[], context: ProbeContext, errors: ConfigError[]): ProbePlan[] {
  const probes: ProbePlan[] = [];
  files.forEach((file, index) => {
    const at = [...context.at, 'probes', index];
    const before = errors.length;
    const kinds = KINDS.filter((k) => file[k] !== undefined);
    if (kinds.length !== 1) {
      errors.push(context.errorAt(at, `a probe is exactly one of ${KINDS.join(', ')}${kinds.length > 1 ? `; this one is ${kinds.join(' and ')}` : ''}`));
      return;
    }
    const kind = kinds[0] ?? 'http';
    const expect = file.expect ?? {};
    for (const key of Object.keys(expect)) {
      if (!EXPECTATIONS[kind].includes(key)) errors.push(context.errorAt([...at, 'expect', key], `\`expect.${key}\` does not apply to a ${kind} probe; it may expect ${EXPECTATIONS[kind].join(', ')}`));
    }
    if (file.account !== undefined && !context.scenarioAccounts.has(file.account)) {
      errors.push(context.errorAt([...at, 'account'], `account ${file.account} is not one of the plan's scenario accounts (\`scenarios\`); a probe reads its values from the profile for a scenario account`));
    }
    const hasAccount = file.account !== undefined;
    const checkTemplates = (text: string, path: YamlPath): void => {
      for (const use of templateUses(text)) {
        const problem = unknownTemplate(use.name, hasAccount);
        if (problem !== undefined) errors.push(context.errorAt(path, problem));
      }
    };
    const json = (expect.json ?? []).map((e, i) => checkJsonExpectation(e, [...at, 'expect', 'json', i], context, errors, checkTemplates));
    let spec: ProbeSpec | undefined;
    if (file.http !== undefined) {
      const http = file.http;
      checkService(http.service, [...at, 'http', 'service'], context, errors, 'url');
      checkTemplates(http.path, [...at, 'http', 'path']);
      for (const [name, value] of Object.entries(http.headers ?? {})) checkTemplates(value, [...at, 'http', 'headers', name]);
      if (http.body !== undefined && http.bodyFile !== undefined) errors.push(context.errorAt([...at, 'http', 'bodyFile'], 'give the body inline (`body`) or in a file (`bodyFile`), not both'));
      let body = http.body === undefined ? undefined : typeof http.body === 'string' ? http.body : JSON.stringify(http.body);
      if (http.bodyFile !== undefined) body = readBodyFile(resolve(context.base, http.bodyFile), [...at, 'http', 'bodyFile'], context, errors);
      if (body !== undefined) checkTemplates(body, [...at, 'http', http.bodyFile !== undefined ? 'bodyFile' : 'body']);
      if (expect.text !== undefined) checkTemplates(expect.text, [...at, 'expect', 'text']);
      if (expect.status === undefined && json.length === 0 && expect.text === undefined) errors.push(context.errorAt(at, 'an http probe needs `expect` with `status`, `json` or `text`'));
      spec = { kind: 'http', service: http.service, method: (http.method ?? 'GET') as 'GET', path: http.path, headers: http.headers ?? {}, ...(body !== undefined ? { body } : {}), expect: { ...(expect.status !== undefined ? { status: expect.status } : {}), json, ...(expect.text !== undefined ? { text: expect.text } : {}) } };
    } else if (file.sql !== undefined) {
      checkQuery(file.sql, 'a `sql` probe', [...at, 'sql'], hasAccount, context, errors);
      if (expect.rows === undefined && expect.minRows === undefined && expect.values === undefined) errors.push(context.errorAt(at, 'a sql probe needs `expect` with `rows`, `minRows` or `values`'));
      for (const [column, value] of Object.entries(expect.values ?? {})) if (typeof value === 'string') checkTemplates(value, [...at, 'expect', 'values', column]);
      spec = { kind: 'sql', query: file.sql, expect: { ...(expect.rows !== undefined ? { rows: expect.rows } : {}), ...(expect.minRows !== undefined ? { minRows: expect.minRows } : {}), ...(expect.values !== undefined ? { values: expect.values } : {}) } };
    } else if (file.command !== undefined) {
      const command = file.command;
      refuseSsmLocally([...at, 'command'], context, errors);
      const path = command.file === undefined ? undefined : resolve(context.base, command.file);
      if (path !== undefined && !(existsSync(path) && statSync(path).isFile())) errors.push(context.errorAt([...at, 'command', 'file'], `probe file ${path} does not exist or is not a file`));
      spec = { kind: 'command', run: command.run, ...(path !== undefined ? { file: path } : {}), timeoutSeconds: command.timeoutSeconds ?? DEFAULT_COMMAND_SECONDS, expect: { json } };
    } else if (file.job !== undefined) {
      checkService(file.job.service, [...at, 'job', 'service'], context, errors, 'start');
      const ledger = expect.ledger ?? [];
      if (ledger.length === 0) errors.push(context.errorAt(at, 'a job probe needs `expect.ledger`: what the service must have sent to the sinkholes while it ran (e.g. `{ kind: provisioning, min: 1 }`)'));
      ledger.forEach((l, i) => {
        const where = [...at, 'expect', 'ledger', i];
        if (l.min === undefined && l.max === undefined && l.accounts === undefined) errors.push(context.errorAt(where, `a ledger expectation needs \`min\`, \`max\` or \`accounts\`; \`{ kind: ${l.kind} }\` alone cannot fail`));
        if (l.min !== undefined && l.max !== undefined && l.min > l.max) errors.push(context.errorAt(where, `min ${l.min} is above max ${l.max}`));
        if (l.accounts === undefined) return;
        checkQuery(l.accounts, 'an `accounts` query', [...where, 'accounts'], hasAccount, context, errors);
        if (context.adapter.outbound.accountPatterns.length === 0) errors.push(context.errorAt([...where, 'accounts'], `\`accounts\` compares the accounts each attempt names, and ${context.adapter.file} declares no \`outbound.accountPatterns\` to find them with; add them to the adapter, or expect counts (\`min\`, \`max\`)`));
      });
      spec = { kind: 'job', service: file.job.service, seconds: file.job.seconds, expect: { ledger: ledger.map((l) => ({ ...l, kind: l.kind as 'mail' })) } };
    }
    if (spec === undefined || errors.length > before) return;
    probes.push({
      id: `checklist.${context.itemId}.${index + 1}-${kind}`,
      title: file.title ?? `${kind} probe ${index + 1}`,
      ...(file.account !== undefined ? { account: file.account } : {}),
      spec,
    });
  });
  return probes;
}

/** One SELECT with only the parameters a probe binds: a `sql` probe's query, a job's `accounts` query. */
function checkQuery(query: string, what: string, at: YamlPath, hasAccount: boolean, context: ProbeContext, errors: ConfigError[]): void {
  const problem = selectOnlyProblem(query, what);
  if (problem !== undefined) errors.push(context.errorAt(at, `${problem.detail} (line ${lineOf(query, problem.offset)} of the query)`));
  for (const parameter of new QueryTemplate(query).parameters) {
    if (!SQL_PARAMETERS.has(parameter.name)) errors.push(context.errorAt(at, `unknown parameter :${parameter.name}; ${what} may use :billDate and :account`));
    else if (parameter.name === 'account' && !hasAccount) errors.push(context.errorAt(at, ':account needs the probe\'s `account` (one of the plan\'s scenario accounts)'));
  }
}

function checkJsonExpectation(e: JsonExpectation, at: YamlPath, context: ProbeContext, errors: ConfigError[], checkTemplates: (text: string, path: YamlPath) => void): JsonExpectation {
  try {
    parseJsonPath(e.path);
  } catch (error) {
    if (!(error instanceof JsonPathError)) throw error;
    errors.push(context.errorAt([...at, 'path'], `bad JSON path: ${error.message}`));
  }
  const given = ['equals', 'matches', 'exists'].filter((k) => k in e);
  if (given.length > 1) errors.push(context.errorAt(at, `an expectation is one of equals, matches or exists; this one has ${given.join(' and ')}`));
  if (e.matches !== undefined) {
    try {
      new RegExp(e.matches, 'u');
    } catch (error) {
      errors.push(context.errorAt([...at, 'matches'], `not a regular expression: ${(error as Error).message}`));
    }
  }
  if (typeof e.equals === 'string') checkTemplates(e.equals, [...at, 'equals']);
  return e;
}

/** Like the `ssm` driver: commands and services on an app host reached through AWS Systems Manager cannot run on the local target. */
function refuseSsmLocally(at: YamlPath, context: ProbeContext, errors: ConfigError[]): void {
  if (context.adapter.driver.kind === 'ssm' && context.target === 'local') {
    errors.push(context.errorAt(at, `${context.adapter.file} reaches its app host through AWS Systems Manager, which runs only on the AWS target; this plan's target is local`));
  }
}

function checkService(name: string, at: YamlPath, context: ProbeContext, errors: ConfigError[], needs: 'url' | 'start'): void {
  refuseSsmLocally(at, context, errors);
  const service = context.adapter.services.find((s) => s.name === name);
  const names = context.adapter.services.map((s) => s.name);
  if (service === undefined) {
    errors.push(context.errorAt(at, `unknown service \`${name}\`; ${context.adapter.file} declares ${names.length > 0 ? names.join(', ') : 'no services'}`));
  } else if (service.start === undefined || (needs === 'url' && service.url === undefined)) {
    errors.push(context.errorAt(at, `service \`${name}\` of ${context.adapter.file} has no \`${service.start === undefined ? 'start' : 'url'}\`, so a probe cannot ${needs === 'url' ? 'send it requests' : 'run it'}`));
  }
}

function readBodyFile(path: string, at: YamlPath, context: ProbeContext, errors: ConfigError[]): string | undefined {
  if (!existsSync(path) || !statSync(path).isFile()) {
    errors.push(context.errorAt(at, `body file ${path} does not exist or is not a file`));
    return undefined;
  }
  if (statSync(path).size > MAX_BODY_BYTES) {
    errors.push(context.errorAt(at, `body file ${path} is over ${MAX_BODY_BYTES / 1024} KiB; a probe's request is small`));
    return undefined;
  }
  return readFileSync(path, 'utf8');
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}
