import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SinkholeConfig } from '../../src/sinkholes/config.js';
import { NGINX, nginxConfig, running, SMTP_SINK, waitForPort, type BenchNamespace, type RunningServer } from '../sinkholes/servers.js';

/** A silent client on a switch port is let go after this long, as our sinkhole does. */
const PREREAD_TIMEOUT = '2s';

/** What the accept-discard servers served so far: the bench checks the platform reached them as often as ours. */
export interface Served {
  readonly mail: number;
  readonly payment: number;
  readonly provisioning: number;
}

/** How long nginx may hold a log line in its buffer (`flush=`): wait this long before counting. */
export const LOG_FLUSH_MS = 1000;

export interface AcceptDiscardServers extends RunningServer {
  served(): Served;
}

/**
 * The cheapest sinkholes on the ports our sinkhole process serves in a sandbox: postfix's
 * smtp-sink on every SMTP port, nginx (one worker) answering every HTTPS request with a fixed
 * approval and reading a switch connection's first bytes before closing. They record nothing.
 * This is a mode of the bench only: the product never starts them. To tell that the platform
 * reached them, smtp-sink counts messages and nginx logs one byte per request or connection,
 * buffered: no per-request write.
 */
export async function startAcceptDiscard(namespace: BenchNamespace, dir: string, config: SinkholeConfig): Promise<AcceptDiscardServers> {
  if (config.caDir === undefined) throw new Error('the accept-discard sinkholes need the run CA (the sandbox terminates TLS)');
  const servers: RunningServer[] = [];
  const messages = new Map<number, number>();
  const stop = async (): Promise<void> => {
    for (const server of servers) await server.stop();
  };
  try {
    for (const port of config.smtpPorts) {
      // -u nobody: it refuses to keep root; 1024 is the listen backlog.
      // -c: running counters on stdout ("sess=… quit=… mesg=…", one per \r).
      const child = spawn(namespace.exec[0]!, [...namespace.exec.slice(1), SMTP_SINK, '-c', '-u', 'nobody', `0.0.0.0:${port}`, '1024'], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (chunk: Buffer) => {
        const counts = [...chunk.toString('latin1').matchAll(/mesg=(\d+)/g)];
        if (counts.length > 0) messages.set(port, Number(counts.at(-1)![1]));
      });
      servers.push(running(`smtp-sink :${port}`, child, 'SIGTERM'));
      await waitForPort(namespace, port, `smtp-sink on ${port}`, child);
    }
    const nginx = spawn(namespace.exec[0]!, [...namespace.exec.slice(1), NGINX, '-p', dir, '-e', join(dir, 'nginx-error.log'), '-c', writeNginxConf(dir, config)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    servers.push(running('nginx', nginx, 'SIGQUIT'));
    const firstPort = [...config.tlsPorts, ...config.smtpsPorts, ...Object.keys(config.tcpPorts).map(Number)][0];
    if (firstPort !== undefined) await waitForPort(namespace, firstPort, 'nginx', nginx);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    name: 'accept-discard (smtp-sink, nginx)',
    cpuMs: () => servers.reduce((sum, s) => sum + s.cpuMs(), 0),
    stop,
    served: () => ({
      mail: [...messages.values()].reduce((sum, n) => sum + n, 0),
      payment: logLines(join(dir, 'https.log')),
      provisioning: logLines(join(dir, 'stream.log')),
    }),
  };
}

function logLines(file: string): number {
  if (!existsSync(file)) return 0;
  const text = readFileSync(file);
  let lines = 0;
  for (let at = text.indexOf(10); at >= 0; at = text.indexOf(10, at + 1)) lines++;
  return lines;
}

function writeNginxConf(dir: string, config: SinkholeConfig): string {
  const cert = `ssl_certificate ${join(config.caDir!, 'server.crt')};\n    ssl_certificate_key ${join(config.caDir!, 'server.key')};`;
  const https = config.tlsPorts.map((port) => `listen 0.0.0.0:${port} ssl;`).join('\n    ');
  // Implicit-TLS SMTP gets its TLS finished and the connection closed: the cheapest TLS listener there is.
  const streams = [
    ...Object.keys(config.tcpPorts).map((port) => `server { listen 0.0.0.0:${port}; ssl_preread on; preread_timeout ${PREREAD_TIMEOUT}; return ""; }`),
    ...config.smtpsPorts.map((port) => `server { listen 0.0.0.0:${port} ssl; ${cert.replace('\n    ', ' ')} access_log off; return ""; }`),
  ];
  // Without a payment port the http block would listen on port 80.
  const server = https === '' ? '' : `server {
    ${https}
    ${cert}
    location / {
      default_type application/json;
      return 200 '{"approved":true,"transaction_id":"rh_00000000000000000000"}';
    }
  }`;
  return nginxConfig(
    dir,
    `log_format one '1';
  access_log ${join(dir, 'https.log')} one buffer=64k flush=${LOG_FLUSH_MS / 1000}s;
  ${server}`,
    `log_format one '1';
  access_log ${join(dir, 'stream.log')} one buffer=64k flush=${LOG_FLUSH_MS / 1000}s;
  ${streams.join('\n  ')}`,
  );
}
