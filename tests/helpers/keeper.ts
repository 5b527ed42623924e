import type { Test } from 'tap';
import { isProcessAlive } from '../../src/run/process-alive.js';
import { rehearse } from './sample-fixture.js';
import { eventually } from './wait-for.js';

export interface Up {
  runId: string;
  runDir: string;
  namespace: string;
  keeperPid: number;
  alreadyUp: boolean;
}

/**
 * `rehearse up` for a test: every keeper it starts is stopped when the test ends, so a failed
 * assertion never leaves a keeper and its sandbox running.
 */
export function keeperStarter(t: Test): (plan: string, ...extra: string[]) => Up {
  const keepers: number[] = [];
  t.teardown(async () => {
    for (const pid of keepers) if (isProcessAlive(pid)) process.kill(pid, 'SIGTERM');
    // SIGTERM makes a keeper remove its sandbox first; the test's files go only after that.
    await eventually(() => keepers.every((pid) => !isProcessAlive(pid)));
  });
  return (plan, ...extra) => {
    const result = rehearse(['--json', 'up', ...extra, plan]);
    if (result.status !== 0) throw new Error(`up failed: ${result.stderr}`);
    const parsed = JSON.parse(result.stdout) as Up;
    keepers.push(parsed.keeperPid);
    return parsed;
  };
}
