import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunFolder } from '../../src/run/run-folder.js';
import { rehearse } from '../helpers/sample-fixture.js';

/** A 2 MiB tmpfs in a temp folder, unmounted and removed at teardown. */
function smallDisk(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'rehearsal-full-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir]);
  t.teardown(() => {
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Writes zeros into `file` until the disk is full. */
function fill(file: string): void {
  const fd = openSync(file, 'a');
  const chunk = Buffer.alloc(4096);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

/** A run left behind with its copy in work/, as a failed or killed rehearsal leaves it. */
function leftRun(reports: string, runId: string): { workDir: string; stateFile: string } {
  const run = createRunFolder(reports, join(reports, 'plan.yaml'), runId);
  run.state.databasePath = join(run.workDir, 'rehearsal.db');
  run.state.keptForResume = true;
  run.save();
  return { workDir: run.workDir, stateFile: join(run.dir, 'state.json') };
}

t.test('`down` on a disk the copy filled removes work/ and records it', async (t) => {
  const reports = join(smallDisk(t), 'reports');
  mkdirSync(reports);
  const { workDir, stateFile } = leftRun(reports, 'run-copy-fills-disk');
  fill(join(workDir, 'rehearsal.db'));
  const down = rehearse(['down', '--reports', reports, 'run-copy-fills-disk']);
  t.equal(down.status, 0, down.stderr);
  t.notOk(existsSync(workDir), 'work/ is gone');
  t.match(down.stdout, /Removed work folder .* \(with the database copy\)/);
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { destroyedAt?: string; keptForResume?: boolean };
  t.ok(state.destroyedAt, 'the removal is recorded once there is room');
  t.notOk(state.keptForResume, 'and the run is no longer kept for a resume');
});

t.test('`down` on a disk that stays full removes work/, warns that it cannot record it, and exits 0', async (t) => {
  const disk = smallDisk(t);
  const reports = join(disk, 'reports');
  mkdirSync(reports);
  const { workDir, stateFile } = leftRun(reports, 'run-disk-stays-full');
  // An empty copy frees no space when it goes: the state cannot be written afterwards either.
  writeFileSync(join(workDir, 'rehearsal.db'), '');
  fill(join(disk, 'something-else'));
  const before = readFileSync(stateFile, 'utf8');
  const down = rehearse(['down', '--reports', reports, 'run-disk-stays-full']);
  t.equal(down.status, 0, down.stderr);
  t.notOk(existsSync(workDir), 'work/ is gone');
  t.match(down.stderr, /warning: could not record the cleanup .*ENOSPC/, 'says what it could not record');
  t.notMatch(down.stderr, /at .*\.ts:\d+/, 'no stack trace');
  t.equal(readFileSync(stateFile, 'utf8'), before, 'the state is intact (not half-written)');
  t.notOk(existsSync(`${stateFile}.tmp`), 'no half-written state left beside it');

  const again = rehearse(['down', '--reports', reports, 'run-disk-stays-full']);
  t.equal(again.status, 0, again.stderr);
  t.match(again.stdout, /nothing left to remove/);
});
