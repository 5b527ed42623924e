import { mkdtempSync, writeFileSync, rmSync, copyFileSync, cpSync } from 'node:fs';
import { makeTinyDatabase } from './tiny-db.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A plan that validates, pointing at files in its own folder, as text so tests can break it line by line. */
export function validPlanText(overrides: { snapshot?: string; productionResult?: string; rules?: string } = {}): string {
  return `version: 1
releaseCandidate:
  id: rc-test-1
  version: 7.5.0-test
target: local
platform:
  kind: sample
  release: candidate
  faults: []
snapshot:
  path: ${overrides.snapshot ?? 'snapshot.db'}
productionResult:
  path: ${overrides.productionResult ?? 'production-result.db'}
billRun:
  date: 2026-11-01
  timeoutSeconds: 120
sanitize:
  rules: ${overrides.rules ?? 'rules.yaml'}
  safeDomain: rehearsal.invalid
scenarios:
  - account: ACC-000001
    why: ten packages
    expect: { billed: true, nextBillDatesAdvanced: true }
checklist:
  - id: charges
    title: Charges match production
    checks: [production-diff]
egress:
  mailServers: [mail.northwind-telecom.example]
report:
  dir: reports
`;
}

/** The fixture plan on SQL Server: `snapshot` and `productionResult` replaced by server-side sources. */
export function mssqlPlanText(snapshot: string, productionResult = 'database: billing_after_run'): string {
  return validPlanText()
    .replace('target: local', `target: local\ndatabase:\n  engine: mssql\n  server: sql.rehearsal.example\n  connectionStringEnv: REHEARSAL_MSSQL_URL`)
    .replace(/snapshot:\n {2}path: .*\n/, `snapshot:\n  ${snapshot}\n`)
    .replace(/productionResult:\n {2}path: .*\n/, `productionResult:\n  ${productionResult}\n`);
}

export interface PlanDir {
  readonly dir: string;
  write(name: string, text: string): string;
  cleanup(): void;
}

/** A temp folder with placeholder snapshot, production result and the shipped rule set. */
export function makePlanDir(): PlanDir {
  const dir = mkdtempSync(join(tmpdir(), 'rehearsal-plan-'));
  // Real databases, as a plan's sources are: stages that read production's result (masking it for
  // the state differential) work on them as on a user's files.
  const tiny = makeTinyDatabase();
  for (const name of ['snapshot.db', 'production-result.db']) copyFileSync(tiny.path, join(dir, name));
  tiny.cleanup();
  copyFileSync(join(PROJECT_ROOT, 'sanitize/sample-platform.yaml'), join(dir, 'rules.yaml'));
  cpSync(join(PROJECT_ROOT, 'sanitize/vendor'), join(dir, 'vendor'), { recursive: true });
  return {
    dir,
    write(name, text) {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
