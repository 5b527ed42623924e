import t from 'tap';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createProgress, renderSummaryTable } from '../../src/ui/progress.js';

const ESC = String.fromCharCode(27);
const CLEAR_LINE = `\r${ESC}[K`;

/** A stream that records what was written, and says whether it is a terminal. */
function screen(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY, columns: 160 });
  return { stream, text: () => chunks.join('') };
}

async function billRun(isTTY: boolean, json = false): Promise<string> {
  const out = screen(isTTY);
  const progress = createProgress({ verbose: false, json, stream: out.stream, refreshMs: 20 });
  progress.stage('bill-run');
  for (let done = 0; done <= 400; done += 100) {
    progress.tick('accounts billed', done, 400);
    await sleep(80);
  }
  progress.stageDone('bill-run', 'passed', 420, 'candidate release');
  progress.summary([{ name: 'bill-run', status: 'passed', durationMs: 420, detail: 'candidate release' }]);
  return out.text();
}

t.test('on a terminal: a live line with the stage, elapsed time, counts and rate, cleared at the end', async (t) => {
  const text = await billRun(true);
  t.ok(text.includes(`${CLEAR_LINE}  … bill-run`), 'the live line is redrawn in place');
  t.match(text, / {2}… bill-run \d+ ms · 300\/400 \(75%\) accounts billed, [\d,]+\/s/);
  t.match(text, / {2}✔ bill-run passed in 420 ms \(candidate release; 400\/400 \(100%\) accounts billed, [\d,]+\/s\)\n/);
  t.match(text, /^ {2}bill-run +passed +420 ms +candidate release; 400\/400/m, 'the summary row carries the counts');
});

t.test('not a terminal: stage lines and the table only, no live line or cursor codes', async (t) => {
  const text = await billRun(false);
  t.notOk(text.includes('\r') || text.includes(ESC) || text.includes('…'), 'no carriage return, escape code or live line');
  t.match(text, /▶ bill-run\n {2}✔ bill-run passed in 420 ms \(candidate release; 400\/400 \(100%\) accounts billed, [\d,]+\/s\)\n/);
  t.match(text, /stage +status +duration +detail/);
});

t.test('--json: nothing on the progress stream', async (t) => {
  t.equal(await billRun(true, true), '');
});

t.test('the summary table aligns columns and totals the durations', async (t) => {
  const table = renderSummaryTable([
    { name: 'isolate', status: 'passed', durationMs: 850, detail: 'sandbox up' },
    { name: 'bill-run', status: 'failed', durationMs: 61_000, detail: 'timed out' },
    { name: 'verify', status: 'skipped', durationMs: 0 },
  ]);
  t.equal(
    table,
    [
      '  stage     status    duration  detail',
      '  ────────  ───────  ─────────  ──────',
      '  isolate   passed      850 ms  sandbox up',
      '  bill-run  failed   1 min 1 s  timed out',
      '  verify    skipped       0 ms',
      '  total 1 min 2 s',
    ].join('\n'),
  );
});
