import { spawn } from 'node:child_process';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { cataloguePorts } from '../egress/catalogue.js';
import type { EgressCatalogue } from '../egress/types.js';
import { SafetyError } from '../errors.js';
import type { EgressPlan } from '../plan/types.js';
import { typescriptCommand } from '../runtime/typescript-process.js';
import { readEgressCounters, unexplainedPackets, type EgressCounters } from './nftables.js';
import type { Probe, ProbeRequest, ProbeResult } from './probe-types.js';

export type { Probe, ProbeOutcome, ProbeResult } from './probe-types.js';

const RUNNER = fileURLToPath(new URL('./probe-runner.ts', import.meta.url));
/** The whole table must finish well inside this; a hung runner is itself a failed proof. */
const RUNNER_TIMEOUT_MS = 10_000;
/** Bounds the table so a huge plan cannot turn the proof into a scan. */
export const MAX_PROBES = 1000;

/** Stand-ins for "anywhere on the internet", one from each documentation range (RFC 5737). */
export const DOCUMENTATION_ADDRESSES = ['192.0.2.1', '198.51.100.1', '203.0.113.5'] as const;

export interface ProbePlanInput {
  readonly catalogue: EgressCatalogue;
  readonly egress: EgressPlan;
  /** Hosts from the platform's settings: URLs, host:port or bare names. */
  readonly platformHosts?: readonly string[];
  readonly addresses?: readonly string[];
}

function firstHostOf(cidr: string): string | undefined {
  const [base = '', bits = '32'] = cidr.split('/');
  if (isIP(base) !== 4) return undefined;
  const n = base.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
  const host = Number(bits) >= 31 ? n : n + 1;
  return [24, 16, 8, 0].map((shift) => Math.floor(host / 2 ** shift) % 256).join('.');
}

function settingTargets(value: string): { host: string; port?: number }[] {
  return value
    .split(/[,\s]+/)
    .filter((part) => part !== '' && !part.includes('@'))
    .flatMap((part) => {
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(part)) {
        try {
          const url = new URL(part);
          const port = url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
          return [{ host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port }];
        } catch {
          return [];
        }
      }
      const match = /^(.+):(\d{1,5})$/.exec(part);
      if (match?.[1] && isIP(match[1]) !== 6) return [{ host: match[1], port: Number(match[2]) }];
      return /[a-z]/i.test(part) || isIP(part) !== 0 ? [{ host: part }] : [];
    });
}

/**
 * Every destination the isolation proof tries: each catalogue gateway host on its port, the
 * plan's mail servers on every SMTP port, its switches on their ports, hosts from the platform's
 * settings, the first address of each switch CIDR, and documentation addresses on every catalogue
 * port. Each protocol/host/port once.
 */
export function planProbes(input: ProbePlanInput): Probe[] {
  const probes = new Map<string, Probe>();
  const add = (protocol: 'tcp' | 'udp', host: string, port: number, why: string): void => {
    const key = `${protocol}/${host.toLowerCase()}/${port}`;
    if (!probes.has(key)) probes.set(key, { protocol, host, port, why });
  };
  const { catalogue, egress } = input;
  const ports = cataloguePorts(catalogue);
  const udpPorts = new Set(ports.filter((p) => p.protocol === 'udp').map((p) => p.port));
  const switchPorts = ports.filter((p) => p.service !== 'SMTP' && p.service !== 'payment gateway');

  for (const g of catalogue.paymentGateways) for (const host of g.hosts) add('tcp', host, g.port, `${g.provider} ${g.environment}`);
  for (const server of egress.mailServers) for (const port of catalogue.smtpPorts) add('tcp', server, port, 'mail server (plan)');
  for (const s of egress.switches) {
    for (const port of s.ports) {
      add('tcp', s.host, port, 'switch (plan)');
      if (udpPorts.has(port)) add('udp', s.host, port, 'switch (plan)');
    }
  }
  for (const value of input.platformHosts ?? []) {
    for (const target of settingTargets(value)) {
      if (target.port !== undefined) add('tcp', target.host, target.port, 'platform setting');
      else for (const port of [443, ...catalogue.smtpPorts]) add('tcp', target.host, port, 'platform setting');
    }
  }
  for (const cidr of egress.switchCidrs) {
    const host = firstHostOf(cidr);
    if (host) for (const p of switchPorts) add(p.protocol, host, p.port, `switch CIDR ${cidr} (plan)`);
  }
  for (const address of input.addresses ?? DOCUMENTATION_ADDRESSES) {
    for (const p of ports) add(p.protocol, address, p.port, 'documentation address (stands in for the internet)');
  }
  return [...probes.values()];
}

/** Runs the probes from inside the namespace, all at once, bounded in count and time. */
export async function runProbes(namespace: string, request: ProbeRequest): Promise<ProbeResult[]> {
  if (request.probes.length > MAX_PROBES) {
    throw new SafetyError(
      `The isolation proof would need ${request.probes.length} probes, more than the ${MAX_PROBES} allowed. ` +
        'Narrow the plan\'s egress.switchCidrs and switches, or split the platform hosts; nothing will run unproven.',
    );
  }
  const runner = typescriptCommand(RUNNER);
  const child = spawn('ip', ['netns', 'exec', namespace, runner.command, ...runner.args], { stdio: ['pipe', 'pipe', 'pipe'], env: runner.env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  child.stdin.end(JSON.stringify(request));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), RUNNER_TIMEOUT_MS);
    child.on('close', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  if (code !== 0) {
    throw new SafetyError(
      `The isolation probes inside sandbox ${namespace} did not finish (exit ${code ?? 'killed after 10 s'}); isolation is not proven ` +
        `and nothing will run. ${stderr.trim().split("\n").slice(0, 6).join(" ")}`,
    );
  }
  return JSON.parse(stdout) as ProbeResult[];
}

export interface IsolationProof {
  readonly namespace: string;
  readonly results: readonly ProbeResult[];
  readonly counts: { readonly sinkhole: number; readonly unreachable: number; readonly leak: number };
  /** Non-loopback packets sent while the probes ran (kernel counters); must be zero. */
  readonly packetsLeftDuringProbes: number;
  readonly counters: EgressCounters;
  readonly ms: number;
}

export interface ProveIsolationInput extends ProbePlanInput {
  readonly namespace: string;
  /** The sandbox's nonce (`Sandbox.nonce`); only a sinkhole of this run answers with it. */
  readonly nonce: string;
  /** The sandbox's local ranges (`Sandbox.hostMap.localRanges`). */
  readonly localRanges: readonly string[];
}

/**
 * The isolation proof run before the bill run: every probe must be unreachable or land in one of
 * this run's sinkholes, no packet may leave by a non-loopback interface while they run, and the
 * default-deny policy must be in place. Otherwise a SafetyError (exit 1) names each leak.
 */
export async function proveIsolation(input: ProveIsolationInput): Promise<IsolationProof> {
  const started = performance.now();
  const probes = planProbes(input);
  const before = await readEgressCounters(input.namespace);
  let results = await runProbes(input.namespace, { nonce: input.nonce, localRanges: input.localRanges, probes });
  for (let attempt = 0; attempt < SILENT_LEAK_RETRIES; attempt++) {
    const silent = results.filter(isSilentLeak);
    if (silent.length === 0) break;
    const again = await runProbes(input.namespace, { nonce: input.nonce, localRanges: input.localRanges, probes: silent.map(toProbe) });
    results = results.map((r) => (isSilentLeak(r) ? (again.find((a) => sameProbe(a, r)) ?? r) : r));
  }
  const counters = await readEgressCounters(input.namespace);
  const packetsLeftDuringProbes = unexplainedPackets(before, counters);
  const counts = { sinkhole: 0, unreachable: 0, leak: 0 };
  for (const r of results) counts[r.outcome] += 1;
  const proof: IsolationProof = {
    namespace: input.namespace,
    results,
    counts,
    packetsLeftDuringProbes,
    counters,
    ms: Math.round(performance.now() - started),
  };
  const problems = [
    ...(counters.policyInstalled ? [] : ['the default-deny egress policy (nftables table inet rehearsal) is missing']),
    ...(packetsLeftDuringProbes > 0 ? [`${packetsLeftDuringProbes} packet(s) left by a non-loopback interface while the probes ran`] : []),
    ...results
      .filter((r) => r.outcome === 'leak')
      .map((r) => `${r.protocol}/${r.host}${r.address && r.address !== r.host ? ` (${r.address})` : ''}:${r.port} — ${r.detail}`),
  ];
  if (problems.length > 0) {
    throw Object.assign(
      new SafetyError(
        `Isolation not proven for sandbox ${input.namespace}: ${problems.length} problem(s); the bill run will not start. ` +
          `${problems.slice(0, 10).join('; ')}${problems.length > 10 ? `; and ${problems.length - 10} more` : ''}. ` +
          'Check the host for routes or links into the sandbox, then run `rehearse down` and try again.',
      ),
      { proof },
    );
  }
  return proof;
}

/**
 * A probe that timed out or got no answer at all may be a sinkhole too slow to answer on a
 * loaded machine. It is asked again, alone, before it counts; what still gets no answer stays a
 * leak (fail closed). An answer from anything else, or a packet that left, is never retried.
 */
const SILENT_LEAK_RETRIES = 2;

function isSilentLeak(r: ProbeResult): boolean {
  return r.outcome === 'leak' && (/no answer/.test(r.detail) || /closed without this run's nonce$/.test(r.detail));
}

function toProbe(r: ProbeResult): Probe {
  return { protocol: r.protocol, host: r.host, port: r.port, why: r.why };
}

function sameProbe(a: Probe, b: Probe): boolean {
  return a.protocol === b.protocol && a.host === b.host && a.port === b.port;
}

/** The probe table for report.md: one row per probe, leaks first. */
export function probeTableMarkdown(results: readonly ProbeResult[]): string {
  const order = { leak: 0, sinkhole: 1, unreachable: 2 } as const;
  const rows = [...results]
    .sort((a, b) => order[a.outcome] - order[b.outcome] || a.host.localeCompare(b.host) || a.port - b.port)
    .map((r) => `| ${r.outcome} | ${r.protocol} | ${r.host} | ${r.port} | ${r.address ?? ''} | ${r.why} | ${r.detail.replaceAll('|', '\\|')} |`);
  return ['| outcome | protocol | destination | port | resolved to | why probed | detail |', '|---|---|---|---|---|---|---|', ...rows].join('\n');
}
