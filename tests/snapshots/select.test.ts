import t from 'tap';
import { selectBackup, SnapshotSelectionError } from '../../src/snapshots/select.js';
import type { BackupCandidate } from '../../src/snapshots/types.js';

/** Production's bill run of 2026-11-01 started at 02:00 UTC. */
const START = '2026-11-01T02:00:00.000Z';
const FROM = "production's result, bill run of 2026-11-01";

const at = (id: string, takenAt: string, timeSource: BackupCandidate['timeSource'] = 'backup header (BackupFinishDate)'): BackupCandidate => ({ id, takenAt, timeSource });

/** Five nightly backups: three before the bill run, the last of them an hour before it, and two after. */
const FIVE = [
  at('billing-2026-10-29.bak', '2026-10-29T01:00:00.000Z'),
  at('billing-2026-11-02.bak', '2026-11-02T01:00:00.000Z'),
  at('billing-2026-11-01-0100.bak', '2026-11-01T01:00:00.000Z'),
  at('billing-2026-10-31.bak', '2026-10-31T01:00:00.000Z'),
  at('billing-2026-11-01-0300.bak', '2026-11-01T03:00:00.000Z'),
];

t.test('five backups at different times: the newest taken before the bill run started is picked, whatever the listing order', async (t) => {
  for (const order of [FIVE, [...FIVE].reverse(), [FIVE[4], FIVE[0], FIVE[2], FIVE[1], FIVE[3]] as BackupCandidate[]]) {
    const selection = selectBackup({ candidates: order, billRunStartedAt: START, billRunStartedFrom: FROM, maxAgeHours: 24 });
    t.equal(selection.picked?.id, 'billing-2026-11-01-0100.bak');
    t.equal(selection.refusal, undefined);
    t.equal(selection.warning, undefined);
    t.same(
      selection.candidates.map((c) => [c.id, c.status]),
      [
        ['billing-2026-11-02.bak', 'taken after the bill run started'],
        ['billing-2026-11-01-0300.bak', 'taken after the bill run started'],
        ['billing-2026-11-01-0100.bak', 'picked'],
        ['billing-2026-10-31.bak', 'older than the picked one'],
        ['billing-2026-10-29.bak', 'older than the picked one'],
      ],
      'newest first, each with its part in the pick',
    );
    t.match(selection.reason, /billing-2026-11-01-0100\.bak was taken 2026-11-01T01:00:00\.000Z \(backup header \(BackupFinishDate\)\), 1\.0 h before production's bill run started at 2026-11-01T02:00:00\.000Z/);
    t.match(selection.reason, /the newest of 3 backups taken before it; 2 taken after it were left out/);
  }
});

t.test('a backup finished at the very instant the bill run started does not count as before it', async (t) => {
  const selection = selectBackup({ candidates: [at('same-instant.bak', START), at('earlier.bak', '2026-11-01T00:00:00Z')], billRunStartedAt: START, billRunStartedFrom: FROM });
  t.equal(selection.picked?.id, 'earlier.bak');
});

t.test('two backups of the same instant: the pick does not depend on the listing order', async (t) => {
  const a = at('a.bak', '2026-11-01T01:00:00Z');
  const b = at('b.bak', '2026-11-01T01:00:00Z');
  const one = selectBackup({ candidates: [a, b], billRunStartedAt: START, billRunStartedFrom: FROM }).picked?.id;
  const other = selectBackup({ candidates: [b, a], billRunStartedAt: START, billRunStartedFrom: FROM }).picked?.id;
  t.equal(one, other);
});

t.test('refused: none taken before the bill run', async (t) => {
  const selection = selectBackup({ candidates: [FIVE[1]!, FIVE[4]!], billRunStartedAt: START, billRunStartedFrom: FROM });
  t.equal(selection.picked, undefined);
  t.match(selection.refusal, /none of the 2 backups was taken before production's bill run started at 2026-11-01T02:00:00\.000Z/);
  const error = new SnapshotSelectionError(selection, 'folder /backups');
  t.equal(error.exitCode, 2);
  t.match(error.message, /Candidates:\n.*billing-2026-11-02\.bak.*taken after the bill run started\n.*billing-2026-11-01-0300\.bak/);
});

t.test('refused: the newest before the bill run is older than maxAgeHours', async (t) => {
  const selection = selectBackup({ candidates: [FIVE[0]!, FIVE[1]!, FIVE[3]!], billRunStartedAt: START, billRunStartedFrom: FROM, maxAgeHours: 24 });
  t.equal(selection.picked, undefined);
  t.same(selection.candidates.map((c) => c.status), ['taken after the bill run started', 'older than snapshot.maxAgeHours', 'older than the picked one']);
  t.match(selection.refusal, /billing-2026-10-31\.bak \(taken 2026-10-31T01:00:00\.000Z\), is 25 h older than it, more than `snapshot\.maxAgeHours` \(24\)/);
  t.equal(selectBackup({ candidates: [FIVE[3]!], billRunStartedAt: START, billRunStartedFrom: FROM, maxAgeHours: 25 }).picked?.id, 'billing-2026-10-31.bak', 'exactly at the limit is accepted');
});

t.test('refused: a backup whose header cannot be read, even when another would qualify', async (t) => {
  const selection = selectBackup({
    candidates: [...FIVE, { id: 'billing-2026-11-01-0130.bak', problem: 'unreadable header: The media family on device is incorrectly formed' }],
    billRunStartedAt: START,
    billRunStartedFrom: FROM,
  });
  t.equal(selection.picked, undefined, 'it may be the newest before the bill run');
  t.notOk(selection.candidates.some((c) => c.status === 'picked'));
  t.match(selection.refusal, /cannot tell when billing-2026-11-01-0130\.bak was taken \(unreadable header: The media family/);
  t.match(new SnapshotSelectionError(selection, 'x').message, /billing-2026-11-01-0130\.bak {2}time unknown {2}unreadable: unreadable header/);
});

t.test('refused: an empty catalogue', async (t) => {
  t.match(selectBackup({ candidates: [], billRunStartedAt: START, billRunStartedFrom: FROM }).refusal, /holds no backup/);
});

t.test('a pick timed by a file modification time is made with a warning', async (t) => {
  const selection = selectBackup({ candidates: [at('/b/snapshot.db', '2026-11-01T01:30:00Z', 'file modification time')], billRunStartedAt: START, billRunStartedFrom: FROM });
  t.equal(selection.picked?.id, '/b/snapshot.db');
  t.match(selection.warning, /is its file modification time, which a copy or a touch changes/);
});
