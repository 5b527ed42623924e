import { runInNamespace } from '../sandbox/run-in-namespace.js';
import { tail } from '../platform/drivers/step.js';
import type { CommandProbe } from './types.js';
import type { ProbeFinding, ProbeRunContext } from './context.js';
import { checkJson } from './expectations.js';
import { cap, maskBody } from './mask.js';
import { probeVariables } from './environment.js';

/** Runs the command inside the sandbox namespace; exit 0 passes, and with `json` its last output line must meet them. */
export async function runCommandProbe(probe: CommandProbe, ctx: ProbeRunContext): Promise<ProbeFinding> {
  const env = probeVariables(ctx.env, probe.file !== undefined ? { REHEARSAL_PROBE_FILE: probe.file } : {});
  const { code, timedOut, stdout, stderr } = await runInNamespace(probe.run, { prefix: ctx.env.execPrefix, env, timeoutSeconds: probe.timeoutSeconds });
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
