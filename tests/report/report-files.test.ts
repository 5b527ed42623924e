import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Ajv } from 'ajv';
import { makeSample, rehearse } from '../helpers/sample-fixture.js';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';
import type { Report } from '../../src/report/model.js';

/** A NO-GO rehearsal (a dropped discount) and every file its report is written as. */
const sample = makeSample(120, 4);
t.teardown(() => sample.cleanup());
const run = rehearse(['--json', 'all', sample.plan('discount-dropped', { faults: ['discount-dropped'] })]);
const runDir = dirname(run.json?.report ?? '.');
const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8')) as Report;
const failedChecks = report.checks.filter((c) => c.status === 'failed').map((c) => c.id);

t.test('the rehearsal is NO-GO and writes json, markdown, html and junit', async (t) => {
  t.equal(run.status, 1, run.stderr);
  t.equal(report.verdict, 'NO-GO');
  t.ok(failedChecks.includes('production-diff'), 'the dropped discount fails production-diff');
  for (const file of ['report.json', 'report.md', 'report.html', 'report.junit.xml']) t.ok(existsSync(join(runDir, file)), file);
});

t.test('report.json validates against the versioned schema', async (t) => {
  const schema = JSON.parse(readFileSync(join(PROJECT_ROOT, 'src/report/report.schema.json'), 'utf8')) as { properties: { schemaVersion: { const: number } } };
  const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
  t.ok(validate(report), JSON.stringify(validate.errors, null, 2));
  t.equal(report.schemaVersion, schema.properties.schemaVersion.const, 'report and schema carry the same version');
  const broken = { ...report, verdict: 'MAYBE' };
  t.notOk(validate(broken), 'a verdict outside the rule is rejected');
});

const XMLLINT = spawnSync('xmllint', ['--version']).error === undefined;

t.test('the JUnit file validates against tests/fixtures/JUnit.xsd with one testcase per check', { skip: XMLLINT ? false : 'xmllint is not installed (apt-get install libxml2-utils)' }, async (t) => {
  const file = join(runDir, 'report.junit.xml');
  const lint = spawnSync('xmllint', ['--noout', '--schema', join(PROJECT_ROOT, 'tests/fixtures/JUnit.xsd'), file], { encoding: 'utf8' });
  t.equal(lint.status, 0, lint.stderr);
  const xml = readFileSync(file, 'utf8');
  const checkCases = [...xml.matchAll(/<testcase classname="rehearsal\.check" name="([^"]+)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)];
  t.same(checkCases.map((m) => m[1]).sort(), report.checks.map((c) => c.id).sort(), 'one testcase per check');
  const failedCases = checkCases.filter((m) => (m[3] ?? '').includes('<failure')).map((m) => m[1]);
  t.same(failedCases.sort(), [...failedChecks].sort(), 'failed checks are failures');
});

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

function chromium(args: string[], url: string): { status: number | null; stdout: string; stderr: string } {
  const profile = mkdtempSync(join(tmpdir(), 'rehearsal-chromium-'));
  try {
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--window-size=1280,800', '--run-all-compositor-stages-before-draw'];
    const result = spawnSync(CHROMIUM ?? 'chromium', [...flags, ...args, url], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

t.test('report.html in headless Chromium: self-contained, failing checks visible without scrolling', { skip: CHROMIUM === undefined ? 'chromium is not installed (apt-get install chromium)' : false }, async (t) => {
  const html = readFileSync(join(runDir, 'report.html'), 'utf8');
  t.notMatch(html, /<(link|img|iframe)\b|\bsrc=|https?:\/\/(?!rehearsal\.invalid)/, 'no external assets');
  const url = `file://${join(runDir, 'report.html')}`;

  const artifacts = join(PROJECT_ROOT, '.tap/artifacts');
  mkdirSync(artifacts, { recursive: true });
  const screenshot = join(artifacts, 'report-nogo.png');
  rmSync(screenshot, { force: true });
  const shot = chromium([`--screenshot=${screenshot}`], url);
  t.equal(shot.status, 0, shot.stderr.slice(-2000));
  t.ok(existsSync(screenshot) && statSync(screenshot).size > 10_000, `screenshot kept at ${screenshot}`);
  t.comment(`screenshot of the NO-GO report: ${screenshot}`);

  // The page marks each listed failure with whether its box lies inside the first viewport; the
  // DOM is dumped after the page's script ran on the laid-out page.
  const dom = chromium(['--dump-dom'], url);
  t.equal(dom.status, 0, dom.stderr.slice(-2000));
  t.match(dom.stdout, /data-verdict="NO-GO"/, 'verdict banner');
  const viewport = Number(/data-viewport-height="(\d+)"/.exec(dom.stdout)?.[1]);
  t.ok(viewport > 0 && viewport <= 800, `measured in a ${viewport}px high viewport`);
  t.ok(failedChecks.length > 0);
  for (const id of failedChecks) {
    const tag = new RegExp(`<li[^>]*data-failure="${id.replace(/\./g, '\\.')}"[^>]*>`).exec(dom.stdout)?.[0] ?? '';
    t.match(tag, /data-above-fold="true"/, `${id} is visible without scrolling`);
  }
  const failuresAt = dom.stdout.indexOf('id="failures"');
  const checksAt = dom.stdout.indexOf('<h2>Checks</h2>');
  t.ok(failuresAt > 0 && failuresAt < checksAt, 'the failures section comes before every other table');
});
