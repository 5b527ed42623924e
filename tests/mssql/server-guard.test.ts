import t from 'tap';
import type { Plan } from '../../src/plan/types.js';
import { assertRehearsalServer } from '../../src/guard/server.js';
import { openPlanEngine, planConnection } from '../../src/engine/mssql/from-plan.js';
import { SafetyError, UserError } from '../../src/errors.js';
import { FakeMssql } from './fake-mssql.js';

const PLAN_FILE = '/plans/rehearsal-aws.yaml';

function plan(server: string | undefined): Plan {
  return {
    file: PLAN_FILE,
    database: { engine: 'mssql', connectionStringEnv: 'REHEARSAL_MSSQL_URL', ...(server !== undefined ? { server } : {}) },
  } as Plan;
}

t.test('accepts the server the plan names, whatever the case, trailing dot or tcp: prefix', async (t) => {
  const database = plan('Rehearsal-SQL.example.test').database;
  for (const host of ['rehearsal-sql.example.test', 'REHEARSAL-SQL.EXAMPLE.TEST.', 'tcp:rehearsal-sql.example.test']) {
    t.doesNotThrow(() => assertRehearsalServer(database, host, PLAN_FILE), host);
  }
});

t.test('refuses any other server, and a plan that names none', async (t) => {
  const database = plan('rehearsal-sql.example.test').database;
  for (const host of ['prod-sql.example.test', 'rehearsal-sql.example.test.evil.test', '192.0.2.10']) {
    t.throws(() => assertRehearsalServer(database, host, PLAN_FILE), SafetyError, host);
  }
  t.throws(() => assertRehearsalServer(database, 'prod-sql.example.test', PLAN_FILE), { message: /names rehearsal-sql\.example\.test as the rehearsal target.*REHEARSAL_MSSQL_URL/ });
  t.throws(() => assertRehearsalServer(plan(undefined).database, 'rehearsal-sql.example.test', PLAN_FILE), { message: /names no rehearsal target/ });
});

t.test('the plan engine checks the server before opening any connection', async (t) => {
  const fake = new FakeMssql();
  const env = { REHEARSAL_MSSQL_URL: 'Server=prod-sql.example.test,1433;Database=EngageIP;User Id=sa;Password=hunter2' };
  const failure = (await openPlanEngine(plan('rehearsal-sql.example.test'), env, { createPool: fake.createPool }).catch((e: unknown) => e)) as Error;
  t.type(failure, SafetyError);
  t.notMatch(failure.message, /hunter2/, 'no password in the message');
  t.equal(fake.configs.length, 0, 'no pool was created');

  const engine = await openPlanEngine(plan('rehearsal-sql.example.test'), { REHEARSAL_MSSQL_URL: env.REHEARSAL_MSSQL_URL.replace('prod-sql', 'rehearsal-sql') }, { createPool: fake.createPool });
  t.equal(engine.description, 'SQL Server rehearsal-sql.example.test:1433 database EngageIP');
  t.notMatch(engine.description, /hunter2/);
  await engine.close();
});

t.test('a missing environment variable is explained', async (t) => {
  t.throws(() => planConnection(plan('rehearsal-sql.example.test'), {}), UserError);
  t.throws(() => planConnection(plan('rehearsal-sql.example.test'), {}), { message: /REHEARSAL_MSSQL_URL named in \/plans\/rehearsal-aws\.yaml .* is not set/ });
});
