import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../src/errors.js';
import { databaseTarget, describeTarget } from '../../sample-platform/service/database/target.js';
import { tempDir } from './helpers.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(REPO, 'sample-platform', 'service', 'main.ts');
const CONNECTION = 'Server=127.0.0.1,1433;Database=billing;User Id=sa;Password=Very$ecret-42;Encrypt=false';

function refusal(options: Parameters<typeof databaseTarget>[0], env: Record<string, string> = {}): string {
  try {
    databaseTarget(options, env);
  } catch (error) {
    if (error instanceof UserError) return error.message;
    throw error;
  }
  throw new Error('expected a refusal');
}

t.test('exactly one of --db and --mssql-connection-env, and the string only from the environment', async (t) => {
  t.same(databaseTarget({ db: 'x.db' }, {}), { engine: 'sqlite', path: 'x.db' });
  t.same(databaseTarget({ mssqlConnectionEnv: 'PLATFORM_DB' }, { PLATFORM_DB: CONNECTION }), {
    engine: 'mssql', connectionString: CONNECTION, variable: 'PLATFORM_DB',
  });
  t.match(refusal({}), /Say which database to bill: --db <file> .* or --mssql-connection-env <VAR>/);
  t.match(refusal({ db: 'x.db', mssqlConnectionEnv: 'PLATFORM_DB' }), /either --db <file> or --mssql-connection-env <VAR>, not both/);
  t.match(refusal({ mssqlConnectionEnv: 'PLATFORM_DB' }), /PLATFORM_DB named by --mssql-connection-env is not set/);
  t.match(refusal({ mssqlConnectionEnv: 'PLATFORM_DB' }, { PLATFORM_DB: '  ' }), /is empty/);
  const pasted = refusal({ mssqlConnectionEnv: CONNECTION });
  t.match(pasted, /takes the name of an environment variable .* not the connection string itself/);
  t.notMatch(pasted, 'Very$ecret', 'a connection string given by mistake is not repeated');
  t.equal(describeTarget({ engine: 'mssql', connectionString: CONNECTION, variable: 'PLATFORM_DB' }), 'SQL Server (connection string from PLATFORM_DB)');
});

/** Runs main.ts in a fresh network namespace (it may try to connect), returning exit code and stderr. */
function runMain(args: readonly string[], env: Record<string, string> = {}): { code: number | null; stderr: string } {
  const result = spawnSync('unshare', ['--net', '--', process.execPath, '--import', 'tsx', MAIN, ...args], {
    cwd: REPO, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000,
  });
  return { code: result.status, stderr: result.stderr };
}

t.test('the service refuses bad database options with exit 2 and one paragraph, before listening', async (t) => {
  const socket = join(tempDir(t), 'control.sock');
  const common = ['--socket', socket, '--release', 'production'];
  const neither = runMain(common);
  t.equal(neither.code, 2);
  t.match(neither.stderr, /^Say which database to bill/);
  t.equal(neither.stderr.trim().split('\n').length, 1, 'one paragraph, no stack');
  const both = runMain([...common, '--db', 'x.db', '--mssql-connection-env', 'PLATFORM_DB']);
  t.equal(both.code, 2);
  t.match(both.stderr, /not both/);
  const unset = runMain([...common, '--mssql-connection-env', 'REHEARSAL_TEST_UNSET_VARIABLE']);
  t.equal(unset.code, 2);
  t.match(unset.stderr, /REHEARSAL_TEST_UNSET_VARIABLE named by --mssql-connection-env is not set/);
});

t.test('a server that cannot be reached is a one-paragraph error without the password', async (t) => {
  const socket = join(tempDir(t), 'control.sock');
  // Inside the fresh namespace loopback is down, so the connect fails at once and nothing leaves.
  const result = runMain(['--socket', socket, '--release', 'production', '--mssql-connection-env', 'PLATFORM_DB'], { PLATFORM_DB: CONNECTION });
  t.equal(result.code, 2);
  t.match(result.stderr, /^Could not connect to SQL Server 127\.0\.0\.1 with the connection string in environment variable PLATFORM_DB: /);
  t.notMatch(result.stderr, 'Very$ecret');
  t.notMatch(result.stderr, 'Password');
});
