/**
 * The sample platform's provisioning worker: the job service that pushes package changes the bill
 * run does not (accounts not due, sign-ups) to the switches named in `provisioning.hosts`, one
 * line per package over TCP, and marks them done. Runs until SIGTERM, looking every 200 ms.
 * Candidate switches: `provisioning-job-idle`, it runs but never provisions anything;
 * `worker-provisions-twice`, it sends every request twice (each package still marked done once).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sendLine } from '../shared/send-line.js';
import { appOptions, runApp } from './options.js';

const SEND_TIMEOUT_MS = 2000;

await runApp(async () => {
  const { db, faults } = appOptions();
  let stopping = false;
  process.once('SIGTERM', () => (stopping = true));
  const hosts = ((db.prepare("SELECT value FROM settings WHERE key = 'provisioning.hosts'").get() as { value: string } | undefined)?.value ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const pending = db.prepare(`SELECT up.id, a.account_number, COALESCE(p.provisioning_code, p.code) AS code FROM user_packages up
    JOIN accounts a ON a.id = up.account_id JOIN packages p ON p.id = up.package_id
    WHERE up.provisioning_status = 'pending' AND up.status <> 'cancelled' AND a.status = 'active' ORDER BY up.id`);
  const done = db.prepare("UPDATE user_packages SET provisioning_status = 'done' WHERE id = ?");
  const sends = faults.has('worker-provisions-twice') ? 2 : 1;
  while (!stopping) {
    if (!faults.has('provisioning-job-idle')) {
      for (const row of pending.all() as { id: number; account_number: string; code: string }[]) {
        const target = hosts[row.id % Math.max(hosts.length, 1)];
        if (target === undefined) break;
        const [host = '', port = '0'] = target.split(':');
        try {
          for (let copy = 0; copy < sends; copy++) await sendLine({ host, port: Number(port) }, `action=activate account=${row.account_number} package=${row.code}\n`, SEND_TIMEOUT_MS);
          done.run(row.id);
        } catch (error) {
          process.stderr.write(`provisioning ${row.account_number} to ${target} failed: ${(error as Error).message}\n`);
        }
        if (stopping) break;
      }
    }
    await sleep(200);
  }
  db.close();
});
