import t from 'tap';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeSample, NODE_TS, REHEARSE } from '../helpers/sample-fixture.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;

function tmux(...args: string[]): string {
  const result = spawnSync('tmux', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

t.test('in a terminal, `rehearse all` shows live progress and ends with the stage table and the verdict', { skip: hasTmux ? false : 'tmux is not installed: the terminal session test needs it' }, async (t) => {
  const sample = makeSample(60, 7);
  const session = `rehearse-${randomBytes(4).toString('hex')}`;
  t.teardown(() => {
    spawnSync('tmux', ['kill-session', '-t', session]);
    sample.cleanup();
  });
  tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '50');
  const command = [...NODE_TS, REHEARSE, 'all', sample.plan('tmux')].map(quote).join(' ');
  tmux('send-keys', '-t', session, `${command}; echo "EXIT=$?"`, 'Enter');

  let screen = '';
  let sawLiveLine = false;
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    screen = tmux('capture-pane', '-p', '-t', session);
    // The live line: the stage running now and its elapsed time, redrawn in place.
    if (/^ {2}… [a-z-]+ \d+(\.\d)? m?s/m.test(screen)) sawLiveLine = true;
    if (/^EXIT=\d+/m.test(screen)) break;
    await sleep(50);
  }
  t.match(screen, /^EXIT=0$/m, 'the rehearsal exited 0');
  t.ok(sawLiveLine, 'a live line with the running stage and its elapsed time was on screen');
  t.match(screen, /^ {2}stage +status +duration +detail$/m, 'the stage table header');
  for (const stage of ['isolate', 'restore', 'sanitize', 'prove', 'bill-run', 'verify', 'destroy']) {
    t.match(screen, new RegExp(`^  ${stage} +passed +\\d+(\\.\\d)? m?s`, 'm'), `${stage} row with its duration`);
  }
  t.match(screen, /^ {2}bill-run +passed .*\d+\/\d+ \(100%\) accounts billed/m, 'the bill run row has its counts');
  t.match(screen, /^ {2}total \d/m);
  t.match(screen, /^Verdict: GO/m);
  t.notMatch(screen, /… [a-z-]+ \d/, 'no live line is left on screen at the end');
});
