import t from 'tap';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runJobProbe } from '../../src/probes/job-probe.js';
import type { ProbeRunContext } from '../../src/probes/context.js';
import type { ServicePool } from '../../src/probes/service-pool.js';
import type { JobProbe } from '../../src/probes/types.js';

/**
 * A job probe's `accounts` without a sandbox: a SQLite copy, a fake worker that marks the pending
 * rows done and appends what it "sent" to the ledger. The query must be read before the job runs
 * (afterwards it would list nothing), and a row without an account number is an error, never a pass.
 */
const dir = t.testdir({});
const PENDING = 'SELECT account_number FROM changes WHERE pending = 1 ORDER BY id';

function setUp(name: string, sent: readonly (string | undefined)[]): ProbeRunContext {
  const databasePath = join(dir, `${name}.db`);
  const db = new Database(databasePath);
  db.exec("CREATE TABLE changes (id INTEGER PRIMARY KEY, account_number TEXT, pending INTEGER); INSERT INTO changes (account_number, pending) VALUES ('A', 1), ('B', 1), ('B', 1), ('C', 0)");
  db.close();
  const ledgerPath = join(dir, `${name}.jsonl`);
  writeFileSync(ledgerPath, '');
  const services = {
    runFor: (): Promise<{ exitedEarly: boolean; exitCode: number | null; log: string }> => {
      const copy = new Database(databasePath);
      copy.exec('UPDATE changes SET pending = 0');
      copy.close();
      for (const account of sent) {
        const entry = { kind: 'provisioning', time: new Date().toISOString(), destination: { host: 'switch', address: '192.0.2.10', port: 2208, protocol: 'tcp' }, peer: { address: '10.0.0.2', port: 40000 }, service: 'test', firstBytes: { length: 0, hex: '', text: '' }, ...(account === undefined ? {} : { account }) };
        appendFileSync(ledgerPath, `${JSON.stringify(entry)}\n`);
      }
      return Promise.resolve({ exitedEarly: false, exitCode: null, log: '' });
    },
  } as unknown as ServicePool;
  return { databasePath, ledgerPath, services, variables: { billDate: '2026-12-01' } } as unknown as ProbeRunContext;
}

const probe = (accounts: string): JobProbe => ({ kind: 'job', service: 'worker', seconds: 1, expect: { ledger: [{ kind: 'provisioning', min: 1, accounts }] } });

t.test('the pending rows read before the job, sent once each: passed', async (t) => {
  const finding = await runJobProbe(probe(PENDING), setUp('exact', ['B', 'A', 'B']));
  t.equal(finding.outcome, 'passed', finding.summary);
});

t.test('each sent twice: failed on accounts, while min: 1 is met', async (t) => {
  const finding = await runJobProbe(probe(PENDING), setUp('twice', ['A', 'A', 'B', 'B', 'B', 'B']));
  t.equal(finding.outcome, 'failed');
  t.match(finding.summary, /expected provisioning to exactly the 3 account row\(s\) the query listed, got 6 attempt\(s\) for 3 listed: 2 account\(s\) sent to more often than listed: A \(2 for 1\), B \(4 for 2\)/);
  t.match(finding.evidence.find((e) => e.expected === 'provisioning ≥ 1'), { met: true });
});

t.test('a wrong account and one naming none: failed with both', async (t) => {
  const finding = await runJobProbe(probe(PENDING), setUp('wrong', ['A', 'B', 'C', undefined]));
  t.match(finding.summary, /1 account\(s\) missing: B \(1 of 2\); 1 account\(s\) not listed: C; 1 attempt\(s\) naming no account/);
});

t.test('a row without an account number is an error, before the job runs', async (t) => {
  const ctx = setUp('null', ['A']);
  const finding = await runJobProbe(probe('SELECT NULL AS account_number FROM changes'), ctx);
  t.equal(finding.outcome, 'error');
  t.match(finding.summary, /row 1 has no account number in its first column \(NULL\)/);
  const copy = new Database(ctx.databasePath ?? '', { readonly: true });
  t.teardown(() => copy.close());
  t.equal(copy.prepare('SELECT COUNT(*) AS n FROM changes WHERE pending = 1').pluck().get(), 3, 'the job never ran');
});
