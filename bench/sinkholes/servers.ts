import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PROJECT_ROOT, typescriptCommand } from '../../src/runtime/typescript-process.js';
import { deleteNamespace } from '../../src/sandbox/namespace.js';
import { writeSinkholeConfig } from '../../src/sinkholes/config.js';
import { descendantsOf } from '../process-memory.js';

/** Fixed ports are safe: everything listens inside a namespace of the bench's own. */
export const PORTS = {
  ours: { smtp: 2525, https: 8443, tcp: 7001 },
  reference: { smtp: 3525, https: 9443, tcp: 8001 },
  floor: { https: 4443, tcp: 6001 },
} as const;

export const SERVER_NAME = 'pay.bench.example';

export interface BenchNamespace {
  readonly name: string;
  readonly exec: readonly string[];
}

/** A namespace with loopback only; not named `rehearsal-…`, so no run's sweep mistakes it for a sandbox. */
export function createBenchNamespace(): BenchNamespace {
  const name = `rh-bench-${process.pid}`;
  for (const args of [['netns', 'add', name], ['-n', name, 'link', 'set', 'lo', 'up']]) {
    const result = spawnSync('ip', args, { encoding: 'utf8' });
    if (result.status !== 0) {
      spawnSync('ip', ['netns', 'delete', name]);
      throw new Error(`cannot make network namespace ${name} (ip ${args.join(' ')}: ${result.stderr.trim() || result.error?.message}); the sinkhole bench needs root and iproute2`);
    }
  }
  return { name, exec: ['ip', 'netns', 'exec', name] };
}

export async function removeBenchNamespace(namespace: BenchNamespace): Promise<void> {
  await deleteNamespace(namespace.name);
}

export interface RunningServer {
  readonly name: string;
  /** CPU time (user + system) of the server and every process it started, in ms. */
  cpuMs(): number;
  stop(): Promise<void>;
}

const CLOCK_TICKS_PER_SECOND = 100;

function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

export function treeCpuMs(pid: number): number {
  return [pid, ...descendantsOf(pid)].reduce((sum, p) => sum + cpuMsOf(p), 0);
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill(signal);
  });
}

/** Starts a server in the namespace and resolves once `ready` sees its output say so (or `port` accepts). */
function startIn(namespace: BenchNamespace, name: string, command: string, args: readonly string[], ready: (line: string) => boolean, env?: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(namespace.exec[0]!, [...namespace.exec.slice(1), command, ...args], { stdio: ['pipe', 'pipe', 'pipe'], ...(env ? { env } : {}) });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail('not ready within 15 s'), 15_000);
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start (${why}): ${output.trim().split('\n').slice(-3).join(' ')}`));
    };
    child.once('exit', (code) => fail(`exited with code ${code}`));
    child.once('error', (error) => fail(error.message));
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        if (output.length < 4000) output += `${line}\n`;
        if (ready(line)) {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          resolve(child);
        }
      });
    }
  });
}

export function running(name: string, child: ChildProcess, signal: NodeJS.Signals): RunningServer {
  const pid = child.pid!;
  return { name, cpuMs: () => treeCpuMs(pid), stop: () => stopChild(child, signal) };
}

/** Our sinkhole process (src/sinkholes/main.ts) as the sandbox runs it: one process for every port, the ledger in `dir`. */
export async function startOurSinkholes(namespace: BenchNamespace, dir: string, caDir: string): Promise<RunningServer & { readonly ledger: string }> {
  const ledger = join(dir, 'egress-ledger.jsonl');
  const config = join(dir, 'sinkholes.json');
  const adapter = readFileSync(join(PROJECT_ROOT, 'platforms/sample/adapter.yaml'), 'utf8');
  const patterns = [...adapter.matchAll(/^ {4}- '(.*)'$/gm)].map((m) => m[1]!);
  const invoicePattern = /^ {2}invoicePattern: '(.*)'$/m.exec(adapter)?.[1];
  // With it the mail sinkhole decodes each message's text for the amount due, as in a rehearsal of the sample.
  const amountPattern = /^ {2}amountPattern: '(.*)'$/m.exec(adapter)?.[1];
  writeSinkholeConfig(config, {
    ledgerPath: ledger,
    caDir,
    nonce: 'bench',
    hostsByAddress: { '127.0.0.1': SERVER_NAME },
    smtpPorts: [PORTS.ours.smtp],
    smtpsPorts: [],
    tlsPorts: [PORTS.ours.https],
    tcpPorts: { [PORTS.ours.tcp]: 'bench switch' },
    udpPorts: {},
    decline: { last4: ['0002'] },
    attribution: { accountPatterns: patterns, ...(invoicePattern ? { invoicePattern } : {}), ...(amountPattern ? { amountPattern } : {}) },
  });
  const main = typescriptCommand(join(PROJECT_ROOT, 'src/sinkholes/main.ts'), ['--config', config, '--exit-with-stdin']);
  const child = await startIn(namespace, 'our sinkholes', main.command, main.args, (line) => line.startsWith('READY '), main.env);
  return { ...running('ours', child, 'SIGTERM'), ledger };
}

/** Plain Node servers that record nothing (bench/sinkholes/node-floor.ts): the runtime's own cost. */
export async function startNodeFloor(namespace: BenchNamespace, caDir: string): Promise<RunningServer> {
  const floor = typescriptCommand(join(PROJECT_ROOT, 'bench/sinkholes/node-floor.ts'), [caDir, String(PORTS.floor.https), String(PORTS.floor.tcp)]);
  const child = await startIn(namespace, 'the plain Node servers', floor.command, floor.args, (line) => line === 'READY', floor.env);
  return running('plain Node', child, 'SIGTERM');
}

/** Postfix's smtp-sink: accepts and discards every message, one process, event-driven like ours. */
export async function startSmtpSink(namespace: BenchNamespace): Promise<RunningServer> {
  // -u nobody: it refuses to keep root; 1024 is the listen backlog (ours is 511, more than the load needs).
  const child = spawn(namespace.exec[0]!, [...namespace.exec.slice(1), SMTP_SINK, '-u', 'nobody', `127.0.0.1:${PORTS.reference.smtp}`, '1024'], { stdio: 'ignore' });
  await waitForPort(namespace, PORTS.reference.smtp, 'smtp-sink', child);
  return running('smtp-sink', child, 'SIGTERM');
}

export const SMTP_SINK = '/usr/sbin/smtp-sink';
export const NGINX = '/usr/sbin/nginx';

/**
 * nginx with one worker (our sinkhole is one process): HTTPS with the run's certificate answering
 * every request with a fixed JSON approval, and a stream server that reads what the client sends
 * first and closes, the cheapest way to take a provisioning line. No access log.
 */
export async function startNginx(namespace: BenchNamespace, dir: string, caDir: string): Promise<RunningServer> {
  const conf = nginxConfig(
    dir,
    `access_log off;
  keepalive_timeout 60s;
  server {
    listen 127.0.0.1:${PORTS.reference.https} ssl;
    server_name ${SERVER_NAME};
    ssl_certificate ${join(caDir, 'server.crt')};
    ssl_certificate_key ${join(caDir, 'server.key')};
    location / {
      default_type application/json;
      return 200 '{"approved":true,"transaction_id":"rh_00000000000000000000"}';
    }
  }`,
    `server {
    listen 127.0.0.1:${PORTS.reference.tcp};
    ssl_preread on;
    preread_timeout 2s;
    return "";
  }`,
  );
  const child = spawn(namespace.exec[0]!, [...namespace.exec.slice(1), NGINX, '-p', dir, '-e', join(dir, 'nginx-error.log'), '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  await waitForPort(namespace, PORTS.reference.https, 'nginx', child);
  return running('nginx', child, 'SIGQUIT');
}

/**
 * `dir/nginx.conf` for a reference server: one worker in the foreground (our sinkhole is one
 * process), every path nginx would write kept in `dir`, keep-alive unbounded, then the given
 * `http` and `stream` block bodies.
 */
export function nginxConfig(dir: string, http: string, stream: string): string {
  const file = join(dir, 'nginx.conf');
  writeFileSync(
    file,
    `load_module /usr/lib/nginx/modules/ngx_stream_module.so;
daemon off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'nginx-error.log')} warn;
events { worker_connections 4096; }
http {
  client_body_temp_path ${dir};
  proxy_temp_path ${dir};
  fastcgi_temp_path ${dir};
  uwsgi_temp_path ${dir};
  scgi_temp_path ${dir};
  keepalive_requests 1000000;
  ${http}
}
stream {
  ${stream}
}
`,
  );
  return file;
}

/** Polls with bash's /dev/tcp from inside the namespace until the port accepts, with a deadline. */
export async function waitForPort(namespace: BenchNamespace, port: number, name: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => void (stderr += chunk.toString('utf8')));
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}: ${stderr.trim()}`);
    const probe = spawnSync(namespace.exec[0]!, [...namespace.exec.slice(1), 'bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`], { stdio: 'ignore' });
    if (probe.status === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not accept connections on 127.0.0.1:${port} within 15 s: ${stderr.trim()}`);
}
