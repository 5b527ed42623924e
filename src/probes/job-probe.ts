import { readLedger } from '../sinkholes/ledger.js';
import type { JobProbe } from './types.js';
import type { ProbeFinding, ProbeRunContext } from './context.js';

/**
 * Runs one of the platform's other services for a bounded time, then stops it, and judges what it
 * sent by the sinkholes' ledger over exactly that window: provisioning that billing does not
 * trigger shows up as attempts at the switch sinkholes. What it wrote stays in the copy, for the
 * `sql` probes that follow.
 */
export async function runJobProbe(probe: JobProbe, ctx: ProbeRunContext): Promise<ProbeFinding> {
  const from = new Date().toISOString();
  const ran = await ctx.services.runFor(probe.service, probe.seconds);
  const entries = readLedger(ctx.ledgerPath, from).filter((e) => e.kind !== 'tls');
  const counts = { mail: 0, payment: 0, provisioning: 0 };
  for (const e of entries) counts[e.kind as keyof typeof counts]++;
  const results = probe.expect.ledger.map((l) => {
    const n = counts[l.kind];
    const met = (l.min === undefined || n >= l.min) && (l.max === undefined || n <= l.max);
    const expected = `${l.kind} ${l.min !== undefined ? `≥ ${l.min}` : ''}${l.min !== undefined && l.max !== undefined ? ' and ' : ''}${l.max !== undefined ? `≤ ${l.max}` : ''}`;
    return { expected, actual: `${n}`, met };
  });
  const service = { service: probe.service, ran: `${probe.seconds} s`, exit: ran.exitedEarly ? `exited early with code ${ran.exitCode}` : 'stopped', accounts: [...new Set(entries.map((e) => e.account).filter((a) => a !== undefined))].slice(0, 10).join(', ') };
  if (ran.exitedEarly && ran.exitCode !== 0) return { outcome: 'error', summary: `${probe.service} exited with code ${ran.exitCode} before its ${probe.seconds} s: ${ran.log}`, evidence: [service, ...results] };
  const unmet = results.filter((r) => !r.met);
  if (unmet.length > 0) Object.assign(service, { log: ran.log });
  return {
    outcome: unmet.length === 0 ? 'passed' : 'failed',
    summary: unmet.length === 0 ? `${probe.service} ran ${probe.seconds} s; the sinkholes caught ${entries.length} attempt(s) as expected` : `${probe.service} ran ${probe.seconds} s: ${unmet.map((r) => `expected ${r.expected}, got ${r.actual}`).join('; ')}`,
    evidence: [service, ...results],
  };
}
