import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cataloguePorts, gatewayPorts } from '../egress/catalogue.js';
import type { EgressCatalogue } from '../egress/types.js';
import type { EgressPlan } from '../plan/types.js';
import { SafetyError } from '../errors.js';
import { createRunCa, type RunCa } from '../sinkholes/ca.js';
import { writeSinkholeConfig, type DeclineRule, type SinkholeConfig } from '../sinkholes/config.js';
import type { AttributionPatterns } from '../sinkholes/attribution.js';
import { addLocalRanges, buildHostMap, hostsByAddress, removeNetnsEtc, writeNetnsEtc, type HostMap } from './hosts.js';
import { createNamespace, deleteNamespace, listNamespaces, namespaceNameFor, NAMESPACE_PREFIX, type NetworkNamespace } from './namespace.js';
import { applyEgressPolicy } from './nftables.js';
import {
  listSandboxRecords,
  ownerAlive,
  readSandboxRecord,
  removeSandboxRecord,
  writeSandboxRecord,
} from './ownership.js';
import { processStartTicks } from '../run/process-alive.js';
import { startSinkholeProcess, type SinkholeProcess } from './sinkhole-process.js';
import { createVeth, deleteVeth, vethFor, type VethLink } from './veth.js';

const IMPLICIT_TLS_SMTP_PORT = 465;

export interface SandboxOptions {
  readonly runId: string;
  /** The run's folder; the ledger, the CA and the sinkhole config go into `<runDir>/sandbox/`. */
  readonly runDir: string;
  readonly catalogue: EgressCatalogue;
  readonly egress: EgressPlan;
  /** Host names, URLs or host:port values from the platform's settings (see `hostsInSettings`). */
  readonly platformHosts: readonly string[];
  /** A database server outside the sandbox (SQL Server): a veth link and an allowance for its port only. */
  readonly database?: {
    readonly port: number;
    /** Defaults to the host end of the veth link (a server listening on the host itself). */
    readonly address?: string;
    /** The server's name in the connection string: resolves to `address` inside the sandbox, never to a sinkhole. */
    readonly host?: string;
  };
  /** Terminate TLS with a per-run CA so payment requests are answered and recorded (default true). */
  readonly terminateTls?: boolean;
  readonly decline?: DeclineRule;
  /** How the platform's messages name an account or invoice, so the ledger attributes each attempt. */
  readonly attribution?: AttributionPatterns;
}

export interface Sandbox {
  readonly namespace: NetworkNamespace;
  /** JSON lines, one per attempt the platform made (see `readLedger`, `summarizeLedger`). */
  readonly ledgerPath: string;
  /** The CA the platform must trust to get answers from the payment sinkhole (NODE_EXTRA_CA_CERTS). */
  readonly caCertPath?: string;
  /** Per-run secret the sinkholes answer probes with; pass it to `proveIsolation`. */
  readonly nonce: string;
  /** Current name → sinkhole address map (grows with `addHosts`). */
  readonly hostMap: HostMap;
  /** Where the database is reachable from inside the sandbox, when one was asked for. */
  readonly database?: { readonly address: string; readonly port: number; readonly link: VethLink };
  /** Milliseconds from the call until the sinkholes listened. */
  readonly startMs: number;
  /**
   * Maps more names to sinkholes (e.g. hosts read from the platform's settings after restore and
   * sanitize). Re-issues the per-run CA with every name, so call it before starting the platform.
   */
  addHosts(hosts: readonly string[]): Promise<void>;
  /** Removes everything the sandbox made; same as `destroySandbox(namespace)`. */
  stop(): Promise<string[]>;
}

export const DEFAULT_DECLINE: DeclineRule = { last4: ['0002'] };

function sinkholeConfig(options: SandboxOptions, dir: string, nonce: string, hostMap: HostMap, caDir: string | undefined): SinkholeConfig {
  const smtp = [...options.catalogue.smtpPorts];
  const tcpPorts: Record<string, string> = {};
  const udpPorts: Record<string, string> = {};
  const skip = new Set([...smtp, ...gatewayPorts(options.catalogue)]);
  for (const p of cataloguePorts(options.catalogue)) {
    if (p.protocol === 'udp') udpPorts[p.port] = p.service;
    else if (!skip.has(p.port)) tcpPorts[p.port] = p.service;
  }
  for (const s of options.egress.switches) for (const port of s.ports) if (!skip.has(port)) tcpPorts[port] ??= 'switch (plan)';
  return {
    ledgerPath: join(dir, 'egress-ledger.jsonl'),
    ...(caDir ? { caDir } : {}),
    nonce,
    hostsByAddress: hostsByAddress(hostMap),
    smtpPorts: smtp.filter((p) => p !== IMPLICIT_TLS_SMTP_PORT),
    smtpsPorts: smtp.filter((p) => p === IMPLICIT_TLS_SMTP_PORT),
    tlsPorts: gatewayPorts(options.catalogue),
    tcpPorts,
    udpPorts,
    decline: options.decline ?? DEFAULT_DECLINE,
    ...(options.attribution !== undefined ? { attribution: options.attribution } : {}),
  };
}

/**
 * The run's sandbox: its own network namespace with loopback only (plus, when asked, a veth link
 * to the database server), default-deny egress, every catalogue, plan and settings host resolving
 * to a sinkhole, and the sinkholes listening. Anything that fails undoes what was made.
 */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const started = performance.now();
  const dir = join(options.runDir, 'sandbox');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const nonce = randomBytes(12).toString('hex');
  const hostMap = buildHostMap(options.catalogue, options.egress, options.platformHosts);
  const terminateTls = options.terminateTls ?? true;
  const issueCa = (map: HostMap): Promise<RunCa> => createRunCa(join(dir, 'ca'), options.runId, certificateNames(map));
  const ca = terminateTls ? issueCa(hostMap) : undefined;
  // Keeps an unawaited rejection from crashing the process if the namespace step fails first.
  ca?.catch(() => undefined);

  const name = namespaceNameFor(options.runId);
  const existing = readSandboxRecord(name);
  if (existing && existing.ownerPid !== process.pid && ownerAlive(existing)) {
    throw new SafetyError(
      `Sandbox ${name} belongs to rehearsal run ${existing.runId}, still running as pid ${existing.ownerPid}. ` +
        'Give this run its own run id, or stop that run first (`rehearse down`).',
    );
  }
  // Whatever is left under this name is from a run that is gone; start from nothing.
  await destroySandbox(name);
  const namespace = await createNamespace(options.runId);
  writeSandboxRecord({
    namespace: name,
    runId: options.runId,
    runDir: options.runDir,
    ownerPid: process.pid,
    ownerStartTicks: processStartTicks(process.pid) ?? '',
    createdAt: new Date().toISOString(),
  });
  let sinkholes: SinkholeProcess | undefined;
  const databaseAddress = options.database !== undefined ? (options.database.address ?? vethFor(name).hostAddress) : undefined;
  const fixedHosts: Record<string, string> = options.database?.host !== undefined && databaseAddress !== undefined ? { [options.database.host]: databaseAddress } : {};
  try {
    writeNetnsEtc(name, hostMap, fixedHosts);
    await addLocalRanges(name, hostMap.localRanges);
    let database: Sandbox['database'];
    if (options.database) {
      // The policy goes in before the link exists, so not even the link's own first packets leave.
      const planned = vethFor(name);
      const address = databaseAddress ?? planned.hostAddress;
      await applyEgressPolicy(name, { address, port: options.database.port, interface: planned.sandboxInterface });
      const link = await createVeth(name, options.database.address);
      database = { address, port: options.database.port, link };
    } else {
      await applyEgressPolicy(name);
    }
    const caPaths = await ca;
    const config = sinkholeConfig(options, dir, nonce, hostMap, caPaths?.dir);
    const configPath = join(dir, 'sinkholes.json');
    writeSinkholeConfig(configPath, config);
    sinkholes = await startSinkholeProcess(name, configPath);
    writeSandboxRecord({
      ...readSandboxRecord(name)!,
      sinkholePid: sinkholes.pid,
      ...(database ? { veth: database.link.hostInterface } : {}),
    });
    const running = sinkholes;
    let currentMap = hostMap;
    return {
      namespace,
      ledgerPath: config.ledgerPath,
      ...(caPaths ? { caCertPath: caPaths.caCertPath } : {}),
      nonce,
      get hostMap() {
        return currentMap;
      },
      ...(database ? { database } : {}),
      startMs: Math.round(performance.now() - started),
      addHosts: async (hosts) => {
        const grown = buildHostMap(options.catalogue, options.egress, [...options.platformHosts, ...hosts], currentMap);
        await addLocalRanges(name, grown.localRanges.filter((r) => !currentMap.localRanges.includes(r)));
        writeNetnsEtc(name, grown, fixedHosts);
        if (caPaths) await issueCa(grown);
        writeSinkholeConfig(configPath, { ...config, hostsByAddress: hostsByAddress(grown) });
        await running.reload();
        currentMap = grown;
      },
      stop: async () => {
        await running.stop();
        return destroySandbox(name);
      },
    };
  } catch (error) {
    await sinkholes?.stop();
    await destroySandbox(name);
    throw error;
  }
}

/** Every name and single address the sinkhole may be asked for by TLS clients. */
function certificateNames(map: HostMap): string[] {
  return [...Object.keys(map.addresses), ...map.localRanges.filter((r) => r.endsWith('/32')).map((r) => r.slice(0, -3))];
}

/** Whether `pid` is still this sandbox's sinkhole process (and not a later process that reused the pid). */
function isSinkholeOf(pid: number, namespace: string): boolean {
  try {
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return commandLine.includes('sinkholes/main.ts') && commandLine.includes(join('sandbox', 'sinkholes.json')) && readSandboxRecord(namespace)?.sinkholePid === pid;
  } catch {
    return false;
  }
}

/**
 * Removes a sandbox by run id or namespace name: sinkhole process, veth link, nftables table
 * (inside the namespace), /etc/netns entry, the namespace and its ownership record. Idempotent;
 * returns what it removed.
 */
export async function destroySandbox(runIdOrNamespace: string): Promise<string[]> {
  const name = runIdOrNamespace.startsWith(NAMESPACE_PREFIX) ? runIdOrNamespace : namespaceNameFor(runIdOrNamespace);
  const removed: string[] = [];
  const record = readSandboxRecord(name);
  // Killed by pid as well as with the namespace: a namespace deleted by hand leaves its processes running.
  if (record?.sinkholePid !== undefined && isSinkholeOf(record.sinkholePid, name)) {
    try {
      process.kill(record.sinkholePid, 'SIGKILL');
      removed.push(`sinkhole process ${record.sinkholePid}`);
    } catch {
      // exited between the check and the kill
    }
  }
  if (await deleteVeth(name)) removed.push(`veth link of ${name}`);
  if ((await listNamespaces()).includes(name)) {
    // The nftables table lives inside the namespace and goes with it; so does every process in it, recorded or not.
    const killed = (await deleteNamespace(name)).filter((pid) => !removed.includes(`sinkhole process ${pid}`));
    if (killed.length > 0) removed.push(`${killed.length === 1 ? 'process' : 'processes'} ${killed.join(', ')} inside ${name}`);
    removed.push(`network namespace ${name} (with its nftables table)`);
  }
  removeNetnsEtc(name);
  removeSandboxRecord(name);
  return removed;
}

/**
 * Sandboxes whose owning process is gone (a run killed with -9): each is destroyed. Sandboxes of
 * live runs, and rehearsal namespaces this module did not record, are left alone.
 */
export async function sweepOrphanSandboxes(): Promise<string[]> {
  const swept: string[] = [];
  for (const record of listSandboxRecords()) {
    if (ownerAlive(record)) continue;
    const removed = await destroySandbox(record.namespace);
    swept.push(`${record.namespace} (run ${record.runId}, owner pid ${record.ownerPid} gone)${removed.length > 0 ? `: ${removed.join(', ')}` : ''}`);
  }
  return swept;
}
