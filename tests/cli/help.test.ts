import t from 'tap';
import { rehearse } from '../helpers/sample-fixture.js';
import { rehearseHere } from '../helpers/cli-in-process.js';

/** Every subcommand, with the options its help must mention (global ones are listed for each too). */
const COMMANDS: Record<string, readonly string[]> = {
  check: ['<plan>'],
  sample: ['<plan>'],
  up: ['<plan>', '--fresh', '--run <id>', '--foreground'],
  restore: ['<plan>', '--run <id>'],
  sanitize: ['<plan>', '--run <id>'],
  prove: ['<plan>', '--run <id>'],
  'bill-run': ['<plan>', '--run <id>'],
  verify: ['<plan>', '--run <id>'],
  report: ['<plan>', '--run <id>'],
  down: ['[run]', '--reports <dir>', '--plan <plan>'],
  all: ['<plan>', '--fresh', '--run <id>'],
};

t.test('rehearse --help lists every subcommand and the exit codes', async (t) => {
  const help = rehearse(['--help']);
  t.equal(help.status, 0);
  for (const name of Object.keys(COMMANDS)) t.match(help.stdout, new RegExp(`^  ${name} `, 'm'), `lists ${name}`);
  t.match(help.stdout, /Exit codes:\n\s+0 .*GO[\s\S]*\n\s+1 .*NO-GO[\s\S]*\n\s+2 .*bad input/);
});

for (const [name, options] of Object.entries(COMMANDS)) {
  t.test(`rehearse ${name} --help exits 0 and explains its options with examples`, async (t) => {
    // In this process (the entry point itself is run above): one node start per command costs more than the whole check.
    const help = await rehearseHere([name, '--help']);
    t.equal(help.code, 0, help.stderr);
    t.match(help.stdout, new RegExp(`^Usage: rehearse ${name} `, 'm'));
    for (const option of [...options, '--json', '--verbose']) t.ok(help.stdout.includes(option), `mentions ${option}`);
    t.match(help.stdout, new RegExp(`Examples:\\n  \\$ rehearse .*${name === 'down' ? 'down' : name}`), 'has an example');
  });
}

t.test('an unknown command or a missing plan is bad input (exit 2), with a hint', async (t) => {
  // Exit code and message only: `main` returns the code scripts/rehearse.ts exits with.
  const unknown = await rehearseHere(['rehears']);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /unknown command 'rehears'/);
  const missing = await rehearseHere(['prove']);
  t.equal(missing.code, 2);
  t.match(missing.stderr, /missing required argument 'plan'[\s\S]*--help/);
});
