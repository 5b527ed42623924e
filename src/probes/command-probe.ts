import { spawn } from 'node:child_process';
import { childEnvironment } from '../runtime/child-environment.js';
import { killGroup, tail } from '../platform/drivers/step.js';
import type { CommandProbe } from './types.js';
import type { ProbeFinding, ProbeRunContext } from './context.js';
import { checkJson } from './expectations.js';
import { cap, maskBody } from './mask.js';
import { probeVariables } from './environment.js';

/** Runs the command inside the sandbox namespace; exit 0 passes, and with `json` its last output line must meet them. */
export async function runCommandProbe(probe: CommandProbe, ctx: ProbeRunContext): Promise<ProbeFinding> {
  const env = probeVariables(ctx.env, probe.file !== undefined ? { REHEARSAL_PROBE_FILE: probe.file } : {});
  const [program = 'sh', ...args] = [...ctx.env.execPrefix, 'sh', '-c', probe.run];
  const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnvironment(env), detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString('utf8')).slice(-65536)));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-65536)));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, probe.timeoutSeconds * 1000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exit) => resolve(exit));
  }).finally(() => clearTimeout(timer));
  const last = stdout.trim().split('\n').pop() ?? '';
  const ran = { command: cap(probe.run), exit: timedOut ? `stopped after ${probe.timeoutSeconds} s` : String(code), output: maskBody(last) };
  if (timedOut) return { outcome: 'error', summary: `did not finish within ${probe.timeoutSeconds} s and was stopped`, evidence: [ran] };
  if (code !== 0) return { outcome: 'failed', summary: `exit ${code}: ${cap(tail(stderr || stdout, 3))}`, evidence: [ran] };
  if (probe.expect.json.length === 0) return { outcome: 'passed', summary: 'exit 0', evidence: [ran] };
  let document: unknown;
  try {
    document = JSON.parse(last) as unknown;
  } catch {
    return { outcome: 'failed', summary: 'exit 0, but its last line of output is not the JSON result the probe expects', evidence: [ran] };
  }
  const results = checkJson(document, probe.expect.json, ctx.variables);
  const unmet = results.filter((r) => !r.met);
  return {
    outcome: unmet.length === 0 ? 'passed' : 'failed',
    summary: unmet.length === 0 ? `exit 0, ${results.length} expectation(s) met` : unmet.map((r) => `expected ${r.expected}, got ${r.actual}`).join('; '),
    evidence: [ran, ...results.map((r) => ({ ...r }))],
  };
}
