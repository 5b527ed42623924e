import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { one, tempDir } from './helpers.js';
import { GENERATOR_VERSION } from '../../sample-platform/generator/generate.js';

const SCRIPT = fileURLToPath(new URL('../../sample-platform/scripts/make-sample.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

function makeSample(out: string, env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', SCRIPT, '--accounts', '60', '--seed', '3', '--bill-date', '2026-11-01', '--out', out],
    { cwd: REPO, encoding: 'utf8', env },
  );
}

t.test('writes the snapshot and a production-billed copy, then reuses them', async (t) => {
  const out = join(tempDir(t), 'sample-60');
  const first = makeSample(out);
  t.equal(first.status, 0, first.stderr);
  t.match(first.stdout, /snapshot: +.*snapshot\.db/);
  t.match(first.stdout, /production result: +.*production-result\.db/);
  const snapshot = join(out, 'snapshot.db');
  const result = join(out, 'production-result.db');
  t.match(JSON.parse(readFileSync(join(out, 'sample.json'), 'utf8')), { accounts: 60, seed: 3, billDate: '2026-11-01', generatorVersion: GENERATOR_VERSION, files: { 'snapshot.db': { size: Number, sha256: /^[0-9a-f]{64}$/ } } });
  t.equal(one<{ n: number }>(snapshot, 'SELECT COUNT(*) AS n FROM invoices').n, 0, 'the snapshot is before the bill run');
  t.ok(one<{ n: number }>(result, 'SELECT COUNT(*) AS n FROM invoices').n > 40, 'the copy is billed');
  t.same(one(result, 'SELECT release, status FROM bill_runs ORDER BY id DESC LIMIT 1'), { release: '7.4.2', status: 'completed' });
  // A snapshot catalogue reads takenAt: the snapshot is complete before production's bill run starts.
  const { takenAt } = JSON.parse(readFileSync(join(out, 'sample.json'), 'utf8')) as { takenAt: string };
  const { started_at: startedAt } = one<{ started_at: string }>(result, 'SELECT started_at FROM bill_runs ORDER BY id DESC LIMIT 1');
  t.ok(Date.parse(takenAt) < Date.parse(startedAt), `sample.json takenAt ${takenAt} is before the bill run started at ${startedAt}`);
  t.equal(one<{ journal_mode: string }>(result, 'PRAGMA journal_mode').journal_mode, 'delete');
  t.notOk(existsSync(`${result}.partial`));

  const modified = statSync(result).mtimeMs;
  const second = makeSample(out);
  t.equal(second.status, 0);
  t.match(second.stdout, /Reusing the sample/);
  t.equal(statSync(result).mtimeMs, modified, 'files left as they were');
});

t.test('refuses to bill when it cannot make a network namespace', async (t) => {
  const out = join(tempDir(t), 'sample-unisolated');
  const refused = makeSample(out, { ...process.env, PATH: '/nonexistent' });
  t.equal(refused.status, 2);
  t.match(refused.stdout + refused.stderr, /Cannot isolate the billing service/);
  t.notOk(existsSync(join(out, 'production-result.db')), 'nothing billed');
});
