import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { $ } from 'zx';
import { UserError } from '../../src/errors.js';
import { loadAdapter } from '../../src/platform/load-adapter.js';
import { typescriptCommand } from '../../src/runtime/typescript-process.js';
import { parseEndpoints } from '../service/settings.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Rehearsal's sinkhole program, run as a separate capture server the way a vendor's test kit would run one. */
const CAPTURE_SERVER = join(REPO_ROOT, 'src', 'sinkholes', 'main.ts');
function captureCommand(configFile: string): string[] {
  const server = typescriptCommand(CAPTURE_SERVER, ['--config', configFile, '--exit-with-stdin']);
  return [server.command, ...server.args];
}
/** Cards ending in these digits are declined, as the rehearsal's sinkholes decline them, so both runs see the same answers. */
const DECLINED_LAST4 = ['0002'];

/** What the entry script (service-with-capture.ts) sets up inside the namespace before the service starts. */
export interface CaptureSetup {
  /** Replaces /etc/hosts inside the namespace's private mounts: every host in the settings → a capture address. */
  readonly hostsFile: string;
  /** Addresses made local on loopback: the capture addresses and IP literals from the settings (the switches). */
  readonly localAddresses: readonly string[];
  readonly captureCommand: readonly string[];
  /** The capture server writes its pid here, so the caller can wait for it to be gone. */
  readonly pidFile: string;
}

export interface Capture {
  readonly setupFile: string;
  /** Environment the billing service needs: the capture CA to trust, where the setup is. */
  readonly env: Readonly<Record<string, string>>;
  readonly pidFile: string;
}

/** The hosts and ports a platform's settings make its billing service reach. */
export interface SettingsHosts {
  readonly names: string[];
  readonly addresses: string[];
  readonly smtpPorts: number[];
  readonly tlsPorts: number[];
  readonly switchPorts: number[];
}

/** The hosts and ports the database's settings will make the billing service reach. */
function hostsInSettings(db: string): SettingsHosts {
  const database = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const values = new Map((database.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
    const names = new Set<string>();
    const addresses = new Set<string>();
    const tlsPorts = new Set<number>();
    const add = (host: string): void => {
      if (isIP(host) !== 0) addresses.add(host);
      else names.add(host.toLowerCase());
    };
    add(values.get('smtp.host') ?? 'localhost');
    for (const [key, value] of values) {
      if (!/^gateway\.[^.]+\.url$/.test(key)) continue;
      const url = new URL(value);
      add(url.hostname);
      tlsPorts.add(Number(url.port || '443'));
    }
    const switches = parseEndpoints(values.get('provisioning.hosts') ?? '');
    for (const s of switches) add(s.host);
    return { names: [...names].sort(), addresses: [...addresses], smtpPorts: [Number(values.get('smtp.port') ?? '25')], tlsPorts: [...tlsPorts], switchPorts: [...new Set(switches.map((s) => s.port))] };
  } finally {
    database.close();
  }
}

/** A CA for this capture only and a server certificate naming every captured host; the CA key is deleted at once. */
async function makeCaptureCa(dir: string, names: readonly string[]): Promise<void> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ext = join(dir, 'server.ext');
  writeFileSync(ext, `basicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=${names.map((n) => `DNS:${n}`).join(',')}\n`);
  const quiet = $({ quiet: true, nothrow: true, timeout: '30s', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  const steps = [
    await quiet`openssl req -x509 ${ec} -keyout ${join(dir, 'ca.key')} -out ${join(dir, 'ca.crt')} -days 2 -subj /CN=sample-platform-capture-CA -addext basicConstraints=critical,CA:TRUE,pathlen:0 -addext keyUsage=critical,keyCertSign,cRLSign`,
    await quiet`openssl req ${ec} -keyout ${join(dir, 'server.key')} -out ${join(dir, 'server.csr')} -subj /CN=capture`,
    await quiet`openssl x509 -req -in ${join(dir, 'server.csr')} -CA ${join(dir, 'ca.crt')} -CAkey ${join(dir, 'ca.key')} -set_serial 0x${Date.now().toString(16)} -days 2 -extfile ${ext} -out ${join(dir, 'server.crt')}`,
  ];
  rmSync(join(dir, 'ca.key'), { force: true });
  const failed = steps.find((s) => s.exitCode !== 0);
  if (failed) throw new UserError(`Cannot make the capture CA for production's bill run (openssl: ${failed.stderr.trim().split('\n')[0] ?? 'failed'}). Install openssl.`);
}

/**
 * Prepares capture servers for a production bill run in its own namespace: every host in the
 * database's settings resolves to a local capture address, where Rehearsal's sinkhole program
 * listens and writes what production sent to `ledger`. Run by the entry script, not here.
 */
export async function prepareCapture(db: string, ledger: string, workDir: string): Promise<Capture> {
  // How the sample's messages name an account: its adapter says, as it does for the rehearsal's sinkholes.
  return prepareCaptureOf(hostsInSettings(db), loadAdapter(join(REPO_ROOT, 'platforms', 'sample')).outbound, ledger, workDir);
}

/** The same for any stand-in: the hosts its settings name and how its messages name an account. */
export async function prepareCaptureOf(hosts: SettingsHosts, attribution: object, ledger: string, workDir: string): Promise<Capture> {
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  // Production may send nothing at all; an empty ledger then says so.
  writeFileSync(ledger, '', { mode: 0o600 });
  const byAddress: Record<string, string> = {};
  hosts.names.forEach((name, i) => {
    byAddress[`127.78.0.${i + 2}`] = name;
  });
  await makeCaptureCa(workDir, hosts.names);
  const config = {
    ledgerPath: ledger,
    caDir: workDir,
    nonce: randomBytes(16).toString('hex'),
    hostsByAddress: byAddress,
    smtpPorts: hosts.smtpPorts,
    smtpsPorts: [],
    tlsPorts: hosts.tlsPorts,
    tcpPorts: Object.fromEntries(hosts.switchPorts.map((p) => [String(p), 'switch'])),
    udpPorts: {},
    decline: { last4: DECLINED_LAST4 },
    attribution,
  };
  const configFile = join(workDir, 'capture.json');
  writeFileSync(configFile, JSON.stringify(config), { mode: 0o600 });
  const hostsFile = join(workDir, 'hosts');
  writeFileSync(hostsFile, ['127.0.0.1 localhost', ...Object.entries(byAddress).map(([a, n]) => `${a} ${n}`), ''].join('\n'));
  const pidFile = join(workDir, 'capture.pid');
  const setup: CaptureSetup = {
    hostsFile,
    localAddresses: [...Object.keys(byAddress), ...hosts.addresses],
    captureCommand: captureCommand(configFile),
    pidFile,
  };
  const setupFile = join(workDir, 'setup.json');
  writeFileSync(setupFile, JSON.stringify(setup));
  return {
    setupFile,
    pidFile,
    env: { NODE_EXTRA_CA_CERTS: join(workDir, 'ca.crt'), CAPTURE_SETUP: setupFile },
  };
}

/** Waits (at most 10 s) until the capture server has exited, so every line it took is in the ledger. */
export async function waitForCaptureToEnd(pidFile: string): Promise<void> {
  if (!existsSync(pidFile)) throw new Error('the capture server never became ready');
  const pid = Number(readFileSync(pidFile, 'utf8'));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(50);
  }
  throw new Error(`the capture server (pid ${pid}) did not exit after the billing service stopped`);
}
