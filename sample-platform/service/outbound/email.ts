import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Endpoint } from '../settings.js';
import type { Reachability } from './reachability.js';

export interface InvoiceMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** Instead of the settings' sender: only the `mail-from-default-sender` regression sets it. */
  readonly from?: string;
}

/**
 * Sends invoice e-mails to the mail server named in the settings, plain SMTP (no TLS needed),
 * short timeouts, a few pooled connections for the whole bill run.
 */
export class InvoiceMailer {
  private transport: Promise<Transporter> | undefined;

  constructor(
    private readonly reach: Reachability,
    private readonly server: Endpoint & { readonly from: string },
  ) {}

  send(mail: InvoiceMail): Promise<void> {
    const endpoint = `${this.server.host}:${this.server.port}`;
    return this.reach.through(endpoint, async () => {
      const transport = await this.open();
      await transport.sendMail({ from: mail.from ?? this.server.from, to: mail.to, subject: mail.subject, text: mail.text });
    });
  }

  close(): void {
    this.transport?.then(
      (t) => t.close(),
      () => undefined,
    );
  }

  private open(): Promise<Transporter> {
    this.transport ??= this.reach.resolve(this.server.host).then((addresses) => {
      // nodemailer takes one address; like most mail clients, prefer IPv4.
      const address = (addresses.find((a) => a.family === 4) ?? addresses[0])?.address ?? this.server.host;
      return nodemailer.createTransport({
        host: address,
        port: this.server.port,
        secure: false,
        ignoreTLS: true,
        pool: true,
        maxConnections: 4,
        connectionTimeout: 2000,
        greetingTimeout: 2000,
        socketTimeout: 5000,
        name: 'billing.northwind-telecom.example',
      });
    });
    return this.transport;
  }
}
