import { lookup } from 'node:dns/promises';
import { Agent, request } from 'node:https';
import nodemailer, { type Transporter } from 'nodemailer';
import { sendLine } from '../../sample-platform/shared/send-line.js';

const TIMEOUT_MS = 3000;
/** One TLS session per gateway for the whole bill run, as a gateway client keeps. */
const KEEP_ALIVE = new Agent({ keepAlive: true, maxSockets: 8 });

export interface Settings {
  readonly smtpServer: string;
  readonly smtpPort: number;
  readonly from: string;
  readonly currency: string;
  readonly gateways: ReadonlyMap<string, { readonly url: string; readonly apiKey: string }>;
  /** `host:port` of each switch, in the order the setting lists them. */
  readonly switches: readonly { readonly host: string; readonly port: number }[];
}

/** Reads the outbound settings from SystemSetting. */
export function readSettings(rows: readonly { Name: string; Value: string | null }[]): Settings {
  const value = new Map(rows.map((r) => [r.Name, r.Value ?? '']));
  const gateways = new Map<string, { url: string; apiKey: string }>();
  for (const [name, url] of value) {
    const match = /^PaymentGateway\.([^.]+)\.Url$/.exec(name);
    if (match?.[1] !== undefined) gateways.set(match[1], { url, apiKey: value.get(`PaymentGateway.${match[1]}.ApiKey`) ?? '' });
  }
  const switches = (value.get('Provisioning.Switches') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
    const at = s.lastIndexOf(':');
    return { host: s.slice(0, at), port: Number(s.slice(at + 1)) };
  });
  return {
    smtpServer: value.get('Email.SmtpServer') ?? 'localhost',
    smtpPort: Number(value.get('Email.SmtpPort') ?? '25'),
    from: value.get('Email.FromAddress') ?? 'invoices@localhost',
    currency: value.get('Billing.Currency') ?? 'USD',
    gateways,
    switches,
  };
}

/**
 * Plain SMTP to the configured mail server, a few pooled connections for the whole bill run. The
 * server's name is looked up once through the system resolver (hosts file first), as the
 * platform's own mail client does, and the address given to nodemailer.
 */
export class Mailer {
  private transport: Promise<Transporter> | undefined;

  constructor(private readonly settings: Settings) {}

  async send(to: string, subject: string, text: string): Promise<void> {
    await (await this.open()).sendMail({ from: this.settings.from, to, subject, text });
  }

  close(): void {
    this.transport?.then((t) => t.close(), () => undefined);
  }

  private open(): Promise<Transporter> {
    this.transport ??= lookup(this.settings.smtpServer, { family: 4 }).then(({ address }) => nodemailer.createTransport({
      host: address, port: this.settings.smtpPort, secure: false, ignoreTLS: true, pool: true, maxConnections: 4,
      connectionTimeout: TIMEOUT_MS, greetingTimeout: TIMEOUT_MS, socketTimeout: TIMEOUT_MS, name: 'billing.engage-telco.example',
    }));
    return this.transport;
  }
}

export interface ChargeBody {
  readonly invoice: string;
  readonly amount: string;
  readonly currency: string;
  readonly last4: string;
  readonly method: string;
  readonly token: string | null;
}

/** POSTs a charge as JSON to the processor's URL; 2xx with `{"approved": true}` is an approval. */
export function charge(gateway: { url: string; apiKey: string }, body: ChargeBody): Promise<{ approved: boolean; reason: string }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(gateway.url, {
      method: 'POST',
      agent: KEEP_ALIVE,
      timeout: TIMEOUT_MS,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), Authorization: `Bearer ${gateway.apiKey}` },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        try {
          const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { approved?: unknown; reason?: unknown };
          resolve({ approved: answer.approved === true, reason: typeof answer.reason === 'string' ? answer.reason : `HTTP ${res.statusCode ?? 0}` });
        } catch {
          resolve({ approved: false, reason: `gateway answered HTTP ${res.statusCode ?? 0} without JSON` });
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${gateway.url} did not answer in time`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Sends one provisioning line to a switch over TCP; resolves once it is handed over. */
export function provision(target: { host: string; port: number }, line: string): Promise<void> {
  return sendLine(target, line, TIMEOUT_MS);
}

/** Runs the tasks with at most `limit` at once. */
export async function runLimited(tasks: readonly (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) await tasks[next++]?.();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}
