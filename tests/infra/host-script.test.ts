// The shell the rehearsal host runs, executed with bash against stand-ins for aws, systemctl and node.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { HOST_NODE, bundleSyncLines, hostBillRunScript, type HostBundle } from '../../infra/ssm/host-script.js';

/** A bin directory whose `aws` serves s3 cp from `<dir>/bucket`, and records every call. */
function standIns(dir: string): { bin: string; log: string } {
  const bin = join(dir, 'bin');
  const log = join(dir, 'calls.log');
  mkdirSync(bin);
  mkdirSync(join(dir, 'bucket', 'bundle'), { recursive: true });
  mkdirSync(join(dir, 'bucket', 'plan'), { recursive: true });
  const script = (name: string, body: string): void => {
    writeFileSync(join(bin, name), `#!/bin/bash\necho "${name} $*" >> ${log}\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  script(
    'aws',
    `if [ "$1 $2" = "ssm get-parameter" ]; then echo 'Server=db,1433;Password=x'; exit 0; fi
if [ "$1 $2 $3" = "s3 cp --only-show-errors" ] && [[ "$4" == s3://* ]]; then cp "${dir}/bucket/\${4#s3://b/}" "$5"; exit 0; fi
exit 0`,
  );
  script('systemctl', 'exit 0');
  script('node-stub', 'echo "$REHEARSAL_MSSQL_CONNECTION" > /dev/null; [ "$4" = "$FAIL_STAGE" ] && exit 7; exit 0');
  return { bin, log };
}

function run(lines: readonly string[], bin: string, env: Record<string, string> = {}): { status: number | null; stderr: string } {
  const script = lines.map((line) => line.split(HOST_NODE).join(join(bin, 'node-stub'))).join('\n');
  const result = spawnSync('bash', ['-c', script], { env: { PATH: `${bin}:/usr/bin:/bin`, ...env }, encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

t.test('the host unpacks the bundle again when the plan changes, and only then', async (t) => {
  const dir = t.testdir({ src: { scripts: { 'rehearse.ts': '// stages' }, plans: { 'rc.aws.yaml': 'server: placeholder\n' } } });
  const { bin, log } = standIns(dir);
  execFileSync('tar', ['-czf', join(dir, 'bucket', 'bundle', 'rehearsal-bundle.tgz'), '-C', join(dir, 'src'), '.']);
  const bundle: HostBundle = { bucketName: 'b', bundleKey: 'bundle/rehearsal-bundle.tgz', hostPlanKey: 'plan/host-plan.yaml', installDir: join(dir, 'opt', 'rehearsal'), planFile: 'plans/rc.aws.yaml' };
  const installedPlan = join(bundle.installDir, bundle.planFile);
  const sync = ['set -euo pipefail', ...bundleSyncLines(bundle)];

  writeFileSync(join(dir, 'bucket', 'plan', 'host-plan.yaml'), 'server: db-1\n');
  t.equal(run(sync, bin).status, 0);
  t.equal(readFileSync(installedPlan, 'utf8'), 'server: db-1\n', "the host runs the rendered plan, not the bundle's copy");
  mkdirSync(join(bundle.installDir, 'reports', 'run-1'), { recursive: true });

  writeFileSync(log, '');
  t.equal(run(sync, bin).status, 0);
  t.notMatch(readFileSync(log, 'utf8'), /systemctl restart/, 'nothing changed: no re-unpack, no restart');

  writeFileSync(join(dir, 'bucket', 'plan', 'host-plan.yaml'), 'server: db-2\n');
  t.equal(run(sync, bin).status, 0);
  t.equal(readFileSync(installedPlan, 'utf8'), 'server: db-2\n', 'a changed plan is unpacked before the next step');
  t.match(readFileSync(log, 'utf8'), /systemctl restart rehearsal-sinkholes.service/, 'the sinkholes restart on the new plan');
  t.ok(readFileSync(join(bundle.installDir, 'scripts', 'rehearse.ts'), 'utf8'), 'the bundle is there');
  t.ok(spawnSync('test', ['-d', join(bundle.installDir, 'reports', 'run-1')]).status === 0, 'run folders survive the re-unpack');
});

t.test('a NO-GO still writes and uploads the report, and the step fails with the first failure', async (t) => {
  const dir = t.testdir({ install: { reports: { 'run-1': { 'report.html': 'NO-GO' } } } });
  symlinkSync(join(dir, 'install', 'reports', 'run-1'), join(dir, 'install', 'reports', 'latest'));
  const { bin, log } = standIns(dir);
  const lines = hostBillRunScript({
    bundle: { bucketName: 'b', bundleKey: 'bundle/x.tgz', hostPlanKey: 'plan/host-plan.yaml', installDir: join(dir, 'install'), planFile: 'plans/rc.aws.yaml' },
    connectionParameterName: '/rehearsal/rc-1/database-connection',
    connectionStringEnv: 'REHEARSAL_MSSQL_CONNECTION',
    reportsUri: 's3://b/reports/latest/',
  });

  t.equal(run(lines, bin, { FAIL_STAGE: 'verify' }).status, 7, 'verify said NO-GO');
  const calls = readFileSync(log, 'utf8');
  t.match(calls, /node-stub --import tsx scripts\/rehearse.ts report plans\/rc.aws.yaml/, 'the report is written after a NO-GO');
  t.match(calls, new RegExp(`aws s3 cp --recursive --only-show-errors ${join(dir, 'install', 'reports', 'run-1')} s3://b/reports/latest/`), 'and uploaded');

  writeFileSync(log, '');
  t.equal(run(lines, bin, { FAIL_STAGE: 'bill-run' }).status, 7, 'a failed bill run fails the step');
  t.notMatch(readFileSync(log, 'utf8'), /rehearse.ts verify/, 'verify does not run on a failed bill run');
  t.match(readFileSync(log, 'utf8'), /rehearse.ts report[\s\S]*aws s3 cp --recursive/, 'the report still goes out');

  writeFileSync(log, '');
  t.equal(run(lines, bin).status, 0, 'GO');
});
