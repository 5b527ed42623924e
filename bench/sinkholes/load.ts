import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

/**
 * The load client of the sinkhole benchmark: the same code drives our sinkholes and the reference
 * servers. Closed loop: `concurrency` loops each run one operation after another until the time is
 * up; an operation is a whole SMTP session with one message, one HTTPS request on a new TLS
 * connection (a full handshake, no session resumption), one request on a kept-alive connection, or
 * one TCP connection that hands over a provisioning line.
 */
export type Workload = 'smtp' | 'https-handshake' | 'https-keepalive' | 'tcp';

export const WORKLOADS: readonly Workload[] = ['smtp', 'https-handshake', 'https-keepalive', 'tcp'];

export interface LoadSpec {
  readonly workload: Workload;
  readonly host: string;
  readonly port: number;
  readonly concurrency: number;
  /** Operations finished in the warm-up are counted apart and their latencies dropped. */
  readonly warmupMs: number;
  readonly durationMs: number;
  /** PEM of the CA the HTTPS server's certificate chains to (the run's CA). */
  readonly ca?: string;
  /** SNI and Host header for HTTPS. */
  readonly serverName?: string;
}

export interface LoadResult {
  readonly workload: Workload;
  readonly concurrency: number;
  /** Operations finished inside the measured window (after the warm-up). */
  readonly completed: number;
  readonly warmupCompleted: number;
  /** Operations still running when the window closed, finished afterwards; not in the rate. */
  readonly drained: number;
  readonly errors: number;
  /** The first error's message, to tell a broken server from a slow one. */
  readonly firstError?: string;
  readonly measuredMs: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** CPU time of this client process during the run: near one core means the client was the limit. */
  readonly clientCpuMs: number;
}

/** The message each SMTP session hands over: an invoice mail of about 2 KB with an account in its subject. */
function invoiceMessage(n: number): string {
  const account = String(100_000 + (n % 900_000));
  const body = `Dear customer,\r\n\r\nyour invoice INV-2026-12-01-${account} is attached.\r\nAmount due: 42.17 EUR\r\n`.padEnd(2000, '.');
  return (
    `From: billing@northwind-telecom.example\r\nTo: customer-${account}@example.com\r\n` +
    `Subject: Your invoice INV-2026-12-01-${account} (account=${account})\r\nMessage-ID: <${n}.bench@northwind-telecom.example>\r\n` +
    `Content-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n.\r\n`
  );
}

function chargeBody(n: number): string {
  const account = String(100_000 + (n % 900_000));
  return JSON.stringify({ invoice: `INV-2026-12-01-${account}`, amount_cents: 4217, currency: 'EUR', token: `tok_${account}`, last4: '4242' });
}

function chargeRequest(n: number, serverName: string, close: boolean): string {
  const body = chargeBody(n);
  return (
    `POST /v1/charges HTTP/1.1\r\nHost: ${serverName}\r\nContent-Type: application/json\r\nAuthorization: Bearer bench\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n${close ? 'Connection: close\r\n' : ''}\r\n${body}`
  );
}

/** Reads SMTP replies off a socket: resolves each `reply()` with the code of the next complete reply. */
class SmtpReplies {
  private buffered = '';
  private waiting: ((code: number) => void) | undefined;
  private readonly codes: number[] = [];

  constructor(socket: Socket, onFailure: (error: Error) => void) {
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => {
      this.buffered += text;
      for (let end = this.buffered.indexOf('\n'); end >= 0; end = this.buffered.indexOf('\n')) {
        const line = this.buffered.slice(0, end);
        this.buffered = this.buffered.slice(end + 1);
        // A multi-line reply continues with "250-"; its last line has a space after the code.
        if (line.length >= 4 && line[3] === '-') continue;
        this.codes.push(Number(line.slice(0, 3)));
        this.deliver();
      }
    });
    socket.on('error', onFailure);
    socket.on('close', () => onFailure(new Error('the SMTP server closed the connection')));
  }

  reply(): Promise<number> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.deliver();
    });
  }

  private deliver(): void {
    if (this.waiting === undefined || this.codes.length === 0) return;
    const resolve = this.waiting;
    this.waiting = undefined;
    resolve(this.codes.shift()!);
  }
}

async function smtpSession(spec: LoadSpec, n: number): Promise<void> {
  const socket = connectTcp({ host: spec.host, port: spec.port });
  socket.setNoDelay(true);
  let fail: (error: Error) => void = () => undefined;
  const failed = new Promise<never>((_resolve, reject) => (fail = reject));
  failed.catch(() => undefined);
  const replies = new SmtpReplies(socket, (error) => fail(error));
  const expect = async (code: number, what: string): Promise<void> => {
    const got = await Promise.race([replies.reply(), failed]);
    if (got !== code) throw new Error(`${what}: the SMTP server answered ${got}, expected ${code}`);
  };
  try {
    await expect(220, 'greeting');
    socket.write('EHLO billing.northwind-telecom.example\r\n');
    await expect(250, 'EHLO');
    socket.write('MAIL FROM:<billing@northwind-telecom.example>\r\n');
    await expect(250, 'MAIL FROM');
    socket.write(`RCPT TO:<customer-${n}@example.com>\r\n`);
    await expect(250, 'RCPT TO');
    socket.write('DATA\r\n');
    await expect(354, 'DATA');
    socket.write(invoiceMessage(n));
    await expect(250, 'end of data');
    socket.write('QUIT\r\n');
    await expect(221, 'QUIT');
  } finally {
    socket.removeAllListeners('close');
    socket.destroy();
  }
}

/** One HTTP/1.1 response at a time off a socket: resolves with the status once the whole body (Content-Length) is in. */
class HttpResponses {
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (status: number) => void; reject: (error: Error) => void } | undefined;

  constructor(socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
      this.deliver();
    });
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('the HTTPS server closed the connection')));
  }

  response(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.deliver();
    });
  }

  private fail(error: Error): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(error);
  }

  private deliver(): void {
    if (this.waiting === undefined) return;
    const headEnd = this.buffered.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = this.buffered.toString('latin1', 0, headEnd);
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    const end = headEnd + 4 + length;
    if (this.buffered.length < end) return;
    this.buffered = this.buffered.subarray(end);
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting.resolve(Number(head.slice(9, 12)));
  }
}

interface HttpsConnection {
  readonly socket: Socket;
  readonly responses: HttpResponses;
}

function openHttps(spec: LoadSpec): Promise<HttpsConnection> {
  return new Promise((resolve, reject) => {
    const socket = connectTls({ host: spec.host, port: spec.port, servername: spec.serverName, ca: spec.ca, ALPNProtocols: ['http/1.1'] }, () => {
      socket.off('error', reject);
      resolve({ socket, responses: new HttpResponses(socket) });
    });
    socket.setNoDelay(true);
    socket.once('error', reject);
  });
}

async function httpsRequest(connection: HttpsConnection, spec: LoadSpec, n: number, close: boolean): Promise<void> {
  const answered = connection.responses.response();
  connection.socket.write(chargeRequest(n, spec.serverName ?? spec.host, close));
  const status = await answered;
  if (status !== 200) throw new Error(`the HTTPS server answered ${status}`);
}

async function httpsHandshake(spec: LoadSpec, n: number): Promise<void> {
  const connection = await openHttps(spec);
  try {
    await httpsRequest(connection, spec, n, true);
  } finally {
    connection.socket.removeAllListeners('close');
    connection.socket.destroy();
  }
}

/** Connects, hands over one line and waits until the server closes, as the platform's provisioning client does. */
function tcpLine(spec: LoadSpec, n: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp({ host: spec.host, port: spec.port });
    socket.setNoDelay(true);
    socket.on('connect', () => socket.end(`PROVISION account=${100_000 + (n % 900_000)} plan=fibre-100\n`));
    socket.on('data', () => undefined);
    socket.on('error', reject);
    socket.on('close', (hadError) => {
      if (!hadError) resolve();
    });
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs the workload against one server and counts what finished, when. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const windowStart = start + spec.warmupMs;
  const windowEnd = windowStart + spec.durationMs;
  let latencies = new Float64Array(4096);
  let completed = 0;
  let warmupCompleted = 0;
  let drained = 0;
  let errors = 0;
  let firstError: string | undefined;
  let sequence = 0;

  const record = (began: number): void => {
    const now = performance.now();
    if (now < windowStart) {
      warmupCompleted++;
    } else if (now < windowEnd) {
      if (completed === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[completed++] = now - began;
    } else {
      drained++;
    }
  };
  const failed = (error: unknown): void => {
    errors++;
    firstError ??= error instanceof Error ? error.message : String(error);
  };

  const loop = async (): Promise<void> => {
    let connection: HttpsConnection | undefined;
    while (performance.now() < windowEnd) {
      const began = performance.now();
      const n = sequence++;
      try {
        if (spec.workload === 'smtp') await smtpSession(spec, n);
        else if (spec.workload === 'https-handshake') await httpsHandshake(spec, n);
        else if (spec.workload === 'tcp') await tcpLine(spec, n);
        else {
          // The server may close a kept-alive connection (idle or request limits); open another.
          if (connection !== undefined && !connection.socket.writable) connection = undefined;
          connection ??= await openHttps(spec);
          await httpsRequest(connection, spec, n, false);
        }
        record(began);
      } catch (error) {
        failed(error);
        connection?.socket.destroy();
        connection = undefined;
        // A refused or reset connection fails at once; pausing keeps a broken server from spinning the loop.
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    if (connection !== undefined) {
      connection.socket.removeAllListeners('close');
      connection.socket.end();
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, loop));

  const sorted = latencies.slice(0, completed).sort();
  const cpu = process.cpuUsage(cpuBefore);
  return {
    workload: spec.workload,
    concurrency: spec.concurrency,
    completed,
    warmupCompleted,
    drained,
    errors,
    ...(firstError === undefined ? {} : { firstError }),
    measuredMs: spec.durationMs,
    perSecond: completed / (spec.durationMs / 1000),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length > 0 ? sorted[sorted.length - 1]! : 0,
    clientCpuMs: (cpu.user + cpu.system) / 1000,
  };
}
