/**
 * The sinkhole process, started inside the run's network namespace:
 *   tsx src/sinkholes/main.ts --config <run>/sinkholes.json [--ledger <file.jsonl>] [--ca-dir <dir>] [--exit-with-stdin]
 * Prints one `READY {...}` line once every listener is bound; on SIGHUP re-reads the host names
 * and the server certificate and prints `RELOADED`; stops on SIGTERM/SIGINT, and with
 * --exit-with-stdin also when its parent goes away (stdin closes), so a killed run leaves no listener.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import type { Socket as UdpSocket } from 'node:dgram';
import { runCaPaths } from './ca.js';
import { readSinkholeConfig, type SinkholeConfig } from './config.js';
import { Attribution } from './attribution.js';
import type { SinkholeContext } from './context.js';
import { createPaymentServer, handleTlsConnection } from './gateway.js';
import { LedgerWriter } from './ledger.js';
import { MailSinkhole } from './smtp.js';
import { handleSwitchConnection, listenUdpSwitch } from './switch.js';

function readTls(caDir: string | undefined): SinkholeContext['tls'] {
  if (caDir === undefined) return undefined;
  const ca = runCaPaths(caDir);
  return { key: readFileSync(ca.serverKeyPath), cert: readFileSync(ca.serverCertPath) };
}

function loadContext(): { ctx: SinkholeContext; configFile: string; exitWithStdin: boolean } {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      ledger: { type: 'string' },
      'ca-dir': { type: 'string' },
      'exit-with-stdin': { type: 'boolean', default: false },
    },
  });
  if (values.config === undefined) throw new Error('usage: main.ts --config <sinkholes.json> [--ledger <file>] [--ca-dir <dir>]');
  const fromFile = readSinkholeConfig(values.config);
  const caDir = values['ca-dir'] ?? fromFile.caDir;
  const config: SinkholeConfig = { ...fromFile, ledgerPath: values.ledger ?? fromFile.ledgerPath, ...(caDir ? { caDir } : {}) };
  const tls = readTls(caDir);
  const ctx: SinkholeContext = {
    config,
    hosts: new Map(Object.entries(config.hostsByAddress)),
    ledger: new LedgerWriter(config.ledgerPath),
    attribution: new Attribution(config.attribution),
    ...(tls ? { tls } : {}),
  };
  return { ctx, configFile: values.config, exitWithStdin: values['exit-with-stdin'] ?? false };
}

function listenTcp(port: number, onSocket: (socket: Socket) => void): Promise<Server> {
  // Without noDelay every small answer (an HTTP response in two TLS records, an SMTP reply) can
  // wait for the client's delayed ACK, 40 ms on Linux. Servers that accept their own sockets set
  // it; these are accepted here and handed on, so it is set here.
  const server = createServer({ noDelay: true }, onSocket);
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(new Error(`sinkhole cannot listen on tcp/${port}: ${error.message}`)));
    server.listen({ port, host: '0.0.0.0', backlog: 511 }, () => resolve(server));
  });
}

async function main(): Promise<void> {
  const { ctx, configFile, exitWithStdin } = loadContext();
  const { config } = ctx;
  const payments = createPaymentServer(ctx);
  const mail = new MailSinkhole(ctx, false);
  const mailTls = ctx.tls ? new MailSinkhole(ctx, true) : undefined;

  const tcp: Promise<Server>[] = [];
  const taken = new Set<number>();
  const add = (port: number, onSocket: (socket: Socket) => void): void => {
    if (taken.has(port)) return;
    taken.add(port);
    tcp.push(listenTcp(port, onSocket));
  };
  for (const port of config.tlsPorts) {
    add(port, (s) => handleTlsConnection(ctx, s, payments ? (t) => payments.emit('connection', t) : undefined));
  }
  for (const port of config.smtpPorts) add(port, (s) => mail.serve(s));
  for (const port of config.smtpsPorts) add(port, (s) => handleTlsConnection(ctx, s, mailTls ? (t) => mailTls.serve(t) : undefined));
  for (const [port, service] of Object.entries(config.tcpPorts)) add(Number(port), (s) => handleSwitchConnection(ctx, s, service));
  const udp: Promise<UdpSocket>[] = Object.entries(config.udpPorts).map(([port, service]) => listenUdpSwitch(ctx, Number(port), service));

  const servers = await Promise.all(tcp);
  const datagrams = await Promise.all(udp);
  const stop = (): void => {
    for (const s of servers) s.close();
    for (const d of datagrams) d.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', () => {
    const fresh = readSinkholeConfig(configFile);
    ctx.hosts.clear();
    for (const [address, name] of Object.entries(fresh.hostsByAddress)) ctx.hosts.set(address, name);
    const tls = readTls(config.caDir);
    if (tls) {
      payments?.setSecureContext({ key: tls.key, cert: tls.cert });
      for (const server of [mail, mailTls]) server?.setSecureContext(tls);
    }
    process.stdout.write('RELOADED\n');
  });
  if (exitWithStdin) {
    process.stdin.on('end', stop);
    process.stdin.on('close', stop);
    process.stdin.resume();
  }
  process.stdout.write(
    `READY ${JSON.stringify({ pid: process.pid, tcp: [...taken].sort((a, b) => a - b), udp: Object.keys(config.udpPorts).map(Number) })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
