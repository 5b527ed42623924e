/**
 * Runs inside the sandbox (spawned by probes.ts through `ip netns exec`): reads a probe list as
 * JSON on stdin, tries each destination the way the platform would, and writes the results as
 * JSON on stdout. Only node built-ins, so nothing here can reach out by another path.
 */
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { BlockList, connect, isIP } from 'node:net';
import { PROBE_LINE } from '../sinkholes/probe-protocol.js';
import type { Probe, ProbeRequest, ProbeResult } from './probe-types.js';

/** Failures the sandbox's own kernel reports: no route, dropped by nftables, no name. */
const LOCAL_FAILURES = new Set(['ENETUNREACH', 'EHOSTUNREACH', 'EPERM', 'EACCES', 'EADDRNOTAVAIL', 'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME']);

const CONNECT_TIMEOUT_MS = 1500;
// Long enough for a greeting from a sinkhole on a loaded machine; probes run in parallel.
const GREETING_WAIT_MS = 400;
const ANSWER_WAIT_MS = 800;

function codeOf(error: unknown): string {
  return String((error as { code?: unknown }).code ?? (error as Error).message);
}

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ProbeRequest;
  const local = new BlockList();
  local.addSubnet('127.0.0.0', 8, 'ipv4');
  local.addAddress('::1', 'ipv6');
  for (const range of request.localRanges) {
    const [address = '', bits = '32'] = range.split('/');
    if (isIP(address) === 4) local.addSubnet(address, Number(bits), 'ipv4');
  }
  const isLocal = (address: string): boolean => isIP(address) !== 0 && local.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  const results = await Promise.all(request.probes.map((p) => probe(p, request.nonce, isLocal)));
  process.stdout.write(JSON.stringify(results));
}

async function probe(p: Probe, nonce: string, isLocal: (address: string) => boolean): Promise<ProbeResult> {
  const started = performance.now();
  let address: string;
  try {
    address = isIP(p.host) !== 0 ? p.host : (await lookup(p.host, { family: 4 })).address;
  } catch (error) {
    return { ...p, outcome: 'unreachable', detail: `name does not resolve (${codeOf(error)})`, ms: Math.round(performance.now() - started) };
  }
  const outcome = await (p.protocol === 'tcp' ? probeTcp(address, p.port, nonce, isLocal(address)) : probeUdp(address, p.port, nonce, isLocal(address)));
  return { ...p, address, ...outcome, ms: Math.round(performance.now() - started) };
}

type Verdict = Pick<ProbeResult, 'outcome' | 'detail'>;

function failureVerdict(error: unknown, local: boolean): Verdict {
  const code = codeOf(error);
  if (LOCAL_FAILURES.has(code)) return { outcome: 'unreachable', detail: code };
  if (code === 'ECONNREFUSED' && local) return { outcome: 'unreachable', detail: 'ECONNREFUSED (no listener inside the sandbox)' };
  return { outcome: 'leak', detail: `${code} from an address outside the sandbox: packets left it` };
}

function probeTcp(address: string, port: number, nonce: string, local: boolean): Promise<Verdict> {
  return new Promise((resolve) => {
    let received = '';
    let connected = false;
    let settled = false;
    const socket = connect({ host: address, port });
    const finish = (verdict: Verdict): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(verdict);
    };
    let timer = setTimeout(
      () => finish({ outcome: 'leak', detail: `no answer to the connection within ${CONNECT_TIMEOUT_MS} ms: packets may have left` }),
      CONNECT_TIMEOUT_MS,
    );
    socket.on('error', (error) => finish(connected ? { outcome: 'leak', detail: `connected, then ${codeOf(error)}: not our sinkhole` } : failureVerdict(error, local)));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.includes(nonce)) finish({ outcome: 'sinkhole', detail: 'answered with this run\'s nonce' });
      else if (received.length > 512) finish({ outcome: 'leak', detail: `connected and answered by something else: ${JSON.stringify(received.slice(0, 60))}` });
    });
    socket.on('close', () => finish({ outcome: 'leak', detail: `connected, closed without this run's nonce${received ? `: ${JSON.stringify(received.slice(0, 60))}` : ''}` }));
    socket.on('connect', () => {
      connected = true;
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (received.length > 0) {
          finish({ outcome: 'leak', detail: `connected and answered by something else: ${JSON.stringify(received.slice(0, 60))}` });
          return;
        }
        socket.write(PROBE_LINE);
        timer = setTimeout(() => finish({ outcome: 'leak', detail: 'connected, but no answer with this run\'s nonce' }), ANSWER_WAIT_MS);
      }, GREETING_WAIT_MS);
    });
  });
}

function probeUdp(address: string, port: number, nonce: string, local: boolean): Promise<Verdict> {
  return new Promise((resolve) => {
    const socket = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
    let settled = false;
    const finish = (verdict: Verdict): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      resolve(verdict);
    };
    const timer = setTimeout(
      () =>
        finish(
          local
            ? { outcome: 'leak', detail: 'sent to a sandbox address, no answer: not our sinkhole' }
            : { outcome: 'leak', detail: `datagram sent, no answer within ${ANSWER_WAIT_MS} ms: it may have left` },
        ),
      ANSWER_WAIT_MS,
    );
    socket.on('error', (error) => finish(failureVerdict(error, local)));
    socket.on('message', (data) =>
      finish(
        data.toString('latin1').includes(nonce)
          ? { outcome: 'sinkhole', detail: 'answered with this run\'s nonce' }
          : { outcome: 'leak', detail: 'answered by something else' },
      ),
    );
    // Node hands a failed connect (no route) to this callback as its argument, not as an 'error' event.
    socket.connect(port, address, (...args: unknown[]) => {
      if (settled) return;
      if (args[0]) {
        finish(failureVerdict(args[0], local));
        return;
      }
      try {
        socket.send(Buffer.from(PROBE_LINE), (error) => {
          if (error) finish(failureVerdict(error, local));
        });
      } catch (error) {
        finish(failureVerdict(error, local));
      }
    });
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
