import t from 'tap';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { descendantsOf, ownPeakKb, peakIn, resetOwnPeak, rssKb } from '../../bench/process-memory.js';

t.test("resetting the process's peak forgets memory it has since given back", async (t) => {
  const peakWithBlock = (): number => {
    const block = Buffer.alloc(200 * 1024 * 1024, 1);
    return block.length > 0 ? ownPeakKb() : 0;
  };
  const withBlock = peakWithBlock();
  t.ok(withBlock > 200 * 1024, `peak counts the 200 MB block (${withBlock} kB)`);
  // An allocation that large is its own mapping, unmapped as soon as V8 collects it.
  for (let i = 0; i < 20 && rssKb(process.pid) > withBlock - 100 * 1024; i++) {
    await sleep(50);
    Buffer.alloc(1024 * 1024);
  }
  t.ok(rssKb(process.pid) < withBlock - 100 * 1024, 'the block was given back');
  resetOwnPeak();
  t.ok(ownPeakKb() < withBlock - 100 * 1024, 'the reset peak no longer counts it');
});

t.test('descendants are found through grandchildren, and a window without samples takes the one before', async (t) => {
  const child = spawn('sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore' });
  t.teardown(() => void child.kill('SIGKILL'));
  let found: number[] = [];
  for (let i = 0; i < 50 && found.length < 1; i++) {
    await sleep(20);
    found = descendantsOf(process.pid).filter((pid) => descendantsOf(child.pid!).includes(pid));
  }
  t.equal(found.length, 1, 'the sleep under the shell is a descendant of this process too');
  for (const pid of found) process.kill(pid, 'SIGKILL');

  const samples = [
    { at: 100, processKb: 1, descendantsKb: 10 },
    { at: 200, processKb: 1, descendantsKb: 30 },
    { at: 300, processKb: 1, descendantsKb: 20 },
  ];
  t.equal(peakIn(samples, 150, 320, (s) => s.descendantsKb), 30);
  t.equal(peakIn(samples, 210, 250, (s) => s.descendantsKb), 30, 'no sample inside: the last one before');
});
