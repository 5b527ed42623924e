import type { Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import PostalMime from 'postal-mime';
import { isoNow, plainAddress, type SinkholeContext } from './context.js';
import { MessageReader } from './smtp-data.js';
import { shortDigest } from './short-digest.js';
import type { StatedDue } from './attribution.js';

/** Advertised in EHLO; bigger messages are still taken and recorded (a sinkhole refuses nothing). */
const MAX_MESSAGE_BYTES = 50 * 1024 * 1024;
/** A command line longer than this without a line end is not SMTP; the connection is closed. */
const MAX_COMMAND_BYTES = 4096;
/** A session idle this long is closed, as a mail server would. */
const IDLE_MS = 60_000;

/**
 * The mail sinkhole: accepts every message from anyone to anyone (any AUTH succeeds, no relay ever:
 * nothing is forwarded) and records the envelope, subject and size, never the body; where the
 * adapter declares how a message states its amount due, that amount too. The greeting
 * carries the run's nonce so a probe can tell this server from a real one; it is sent at once
 * (a general-purpose server waits 100 ms to catch clients that talk too soon, which cost every
 * session of a bill run that long), so a probe always reads it before it speaks.
 */
export class MailSinkhole {
  private secureContext: SecureContext | undefined;

  constructor(
    private readonly ctx: SinkholeContext,
    private readonly implicitTls: boolean,
  ) {
    this.secureContext = ctx.tls ? createSecureContext({ key: ctx.tls.key, cert: ctx.tls.cert }) : undefined;
  }

  /** The server key pair changed (SIGHUP): later sessions use the new one. */
  setSecureContext(tls: { readonly key: Buffer; readonly cert: Buffer }): void {
    this.secureContext = createSecureContext({ key: tls.key, cert: tls.cert });
  }

  /** Takes over an accepted socket (the sinkhole process owns the listening sockets). */
  serve(socket: Socket): void {
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    if (!this.implicitTls) {
      new MailSession(this.ctx, socket, socket, this.secureContext).greet();
      return;
    }
    if (this.secureContext === undefined) {
      socket.destroy();
      return;
    }
    const secure = new TLSSocket(socket, { isServer: true, secureContext: this.secureContext });
    secure.on('error', () => secure.destroy());
    secure.setTimeout(IDLE_MS, () => secure.destroy());
    secure.once('secure', () => new MailSession(this.ctx, socket, secure, undefined).greet());
  }
}

interface Envelope {
  from: string;
  to: string[];
}

/** One SMTP session: reads command lines, answers them, and records each message at its end. */
class MailSession {
  private readonly name: string;
  private buffered: Buffer = Buffer.alloc(0);
  private envelope: Envelope | undefined;
  private message: MessageReader | undefined;
  /** Lines the next AUTH step waits for (the client's answers to 334 challenges). */
  private authLinesLeft = 0;
  private closed = false;
  /** A finished message is being read for its amount: what the client sends meanwhile waits, so replies keep their order. */
  private holding = false;
  private readonly onData = (chunk: Buffer): void => this.read(chunk);

  constructor(
    private readonly ctx: SinkholeContext,
    /** The TCP connection, for the addresses the ledger records. */
    private readonly raw: Socket,
    private socket: Socket,
    /** Offered as STARTTLS while the session is in the clear and the run has a CA. */
    private startTls: SecureContext | undefined,
  ) {
    this.name = `rehearsal-sinkhole-${ctx.config.nonce}`;
  }

  greet(): void {
    this.listen();
    this.reply(`220 ${this.name} ESMTP rehearsal sinkhole ${this.ctx.config.nonce}`);
  }

  private listen(): void {
    this.socket.on('data', this.onData);
    this.socket.setTimeout(IDLE_MS, () => this.socket.destroy());
    this.socket.once('close', () => (this.closed = true));
  }

  private reply(text: string): void {
    if (!this.closed) this.socket.write(`${text}\r\n`);
  }

  private read(chunk: Buffer): void {
    let data = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    if (this.holding) {
      this.buffered = data;
      return;
    }
    this.buffered = Buffer.alloc(0);
    while (data.length > 0 && !this.closed) {
      if (this.message !== undefined) {
        const end = this.message.push(data);
        if (end < 0) return;
        data = data.subarray(end);
        if (this.finishMessage() === 'holding') {
          this.buffered = data;
          return;
        }
        continue;
      }
      const newline = data.indexOf(0x0a);
      if (newline < 0) {
        if (data.length > MAX_COMMAND_BYTES) {
          this.reply('500 5.5.2 Line too long');
          this.socket.end();
          return;
        }
        this.buffered = data;
        return;
      }
      const line = data.toString('utf8', 0, newline).replace(/\r$/, '');
      data = data.subarray(newline + 1);
      if (this.command(line) === 'upgrade') return;
    }
  }

  /** Answers one command line; 'upgrade' when STARTTLS hands the connection to TLS (what the client sent after it is dropped). */
  private command(line: string): 'upgrade' | undefined {
    if (this.authLinesLeft > 0) {
      this.authLinesLeft--;
      if (line === '*') this.reply('501 5.7.0 Authentication aborted');
      else if (this.authLinesLeft === 0) this.reply('235 2.7.0 Authentication successful');
      else this.reply('334 UGFzc3dvcmQ6');
      return undefined;
    }
    const space = line.indexOf(' ');
    const verb = (space < 0 ? line : line.slice(0, space)).toUpperCase();
    const rest = space < 0 ? '' : line.slice(space + 1).trim();
    switch (verb) {
      case 'EHLO':
        this.envelope = undefined;
        this.reply(
          [
            `250-${this.name} Nice to meet you, ${rest || 'client'}`,
            '250-PIPELINING',
            '250-8BITMIME',
            '250-SMTPUTF8',
            `250-SIZE ${MAX_MESSAGE_BYTES}`,
            ...(this.startTls ? ['250-STARTTLS'] : []),
            '250-AUTH PLAIN LOGIN',
            '250 ENHANCEDSTATUSCODES',
          ].join('\r\n'),
        );
        return undefined;
      case 'HELO':
        this.envelope = undefined;
        this.reply(`250 ${this.name} Nice to meet you, ${rest || 'client'}`);
        return undefined;
      case 'STARTTLS':
        return this.upgrade();
      case 'AUTH':
        return this.auth(rest);
      case 'MAIL': {
        const from = /^FROM:\s*(.*)$/i.exec(rest);
        if (from === null) this.reply('501 5.5.4 Syntax: MAIL FROM:<address>');
        else {
          this.envelope = { from: addressIn(from[1]!), to: [] };
          this.reply('250 2.1.0 Accepted');
        }
        return undefined;
      }
      case 'RCPT': {
        const to = /^TO:\s*(.*)$/i.exec(rest);
        if (this.envelope === undefined) this.reply('503 5.5.1 Error: need MAIL command');
        else if (to === null) this.reply('501 5.5.4 Syntax: RCPT TO:<address>');
        else {
          this.envelope.to.push(addressIn(to[1]!));
          this.reply('250 2.1.5 Accepted');
        }
        return undefined;
      }
      case 'DATA':
        if (this.envelope === undefined || this.envelope.to.length === 0) this.reply('503 5.5.1 Error: need RCPT command');
        else {
          this.message = new MessageReader(this.ctx.attribution.readsAmounts);
          this.reply('354 End data with <CR><LF>.<CR><LF>');
        }
        return undefined;
      case 'RSET':
        this.envelope = undefined;
        this.reply('250 2.0.0 Flushed');
        return undefined;
      case 'NOOP':
        this.reply('250 2.0.0 OK');
        return undefined;
      case 'VRFY':
        this.reply('252 2.1.5 Send some mail, I will try my best');
        return undefined;
      case 'QUIT':
        this.reply('221 2.0.0 Bye');
        this.socket.end();
        this.closed = true;
        return undefined;
      default:
        this.reply(`500 5.5.2 ${this.name}: command not recognized`);
        return undefined;
    }
  }

  private auth(rest: string): undefined {
    const [mechanism = '', initial] = rest.split(/\s+/);
    switch (mechanism.toUpperCase()) {
      case 'PLAIN':
        if (initial !== undefined) this.reply('235 2.7.0 Authentication successful');
        else {
          this.authLinesLeft = 1;
          this.reply('334 ');
        }
        return undefined;
      case 'LOGIN':
        this.authLinesLeft = initial !== undefined ? 1 : 2;
        this.reply(initial !== undefined ? '334 UGFzc3dvcmQ6' : '334 VXNlcm5hbWU6');
        return undefined;
      default:
        this.reply('504 5.5.4 Unrecognized authentication type');
        return undefined;
    }
  }

  /** RFC 3207: after the handshake the session starts over (no greeting, EHLO again, nothing kept from before). */
  private upgrade(): 'upgrade' | undefined {
    const secureContext = this.startTls;
    if (secureContext === undefined) {
      this.reply('502 5.5.1 Error: command not implemented');
      return undefined;
    }
    this.reply('220 2.0.0 Ready to start TLS');
    this.socket.off('data', this.onData);
    this.socket.setTimeout(0);
    this.buffered = Buffer.alloc(0);
    this.envelope = undefined;
    this.startTls = undefined;
    const secure = new TLSSocket(this.socket, { isServer: true, secureContext });
    secure.on('error', () => secure.destroy());
    secure.once('secure', () => {
      this.socket = secure;
      this.listen();
    });
    return 'upgrade';
  }

  /** Records the message and answers it; 'holding' while its text is still being read for the amount it states. */
  private finishMessage(): 'holding' | undefined {
    const message = this.message!;
    const envelope = this.envelope!;
    this.message = undefined;
    this.envelope = undefined;
    const kept = message.headText();
    const subject = decodeHeader(headerValue(kept, 'subject') ?? '');
    if (!this.ctx.attribution.readsAmounts) {
      this.record(envelope, subject, message.size, undefined);
      return undefined;
    }
    const plain = plainText(kept);
    if (plain !== undefined) {
      this.record(envelope, subject, message.size, this.ctx.attribution.dueIn(`${subject}\n${plain}`), plain);
      return undefined;
    }
    this.holding = true;
    // Anything else is decoded by a MIME parser: quoted-printable, base64, charsets, the text part of a multipart message.
    PostalMime.parse(message.start())
      .then(
        (parsed) => parsed.text ?? parsed.html ?? '',
        () => undefined,
      )
      .then((text) => {
        this.record(envelope, subject, message.size, text === undefined ? undefined : this.ctx.attribution.dueIn(`${subject}\n${text}`), text);
        this.holding = false;
        if (this.buffered.length > 0) this.read(Buffer.alloc(0));
      });
    return 'holding';
  }

  /** `text`: the message's text where it was read (for the amount), kept only as a digest. */
  private record(envelope: Envelope, subject: string, sizeBytes: number, due: StatedDue | undefined, text?: string): void {
    const address = plainAddress(this.raw.localAddress);
    const account = this.ctx.attribution.accountIn(subject);
    this.ctx.ledger.append({
      kind: 'mail',
      time: isoNow(),
      destination: { host: this.ctx.hosts.get(address) ?? address, address, port: this.raw.localPort ?? 0, protocol: 'tcp' },
      peer: { address: plainAddress(this.raw.remoteAddress), port: this.raw.remotePort ?? 0 },
      ...(account === undefined ? {} : { account }),
      from: envelope.from,
      to: envelope.to,
      subject,
      sizeBytes,
      ...(due === undefined ? {} : { amountStated: due.amount }),
      ...(due?.currency === undefined ? {} : { currencyStated: due.currency }),
      // Line ends and trailing space as the MIME parser leaves them, so the same text digests alike however it was encoded.
      ...(text === undefined ? {} : { textDigest: shortDigest(text.replace(/\r\n?/g, '\n').trimEnd()) }),
    });
    this.reply('250 2.0.0 OK: message queued');
  }
}

/** The address of a MAIL FROM / RCPT TO argument: inside the angle brackets, parameters (SIZE=…) dropped. */
export function addressIn(argument: string): string {
  const bracketed = /<([^>]*)>/.exec(argument);
  return (bracketed ? bracketed[1]! : (argument.split(/\s+/)[0] ?? '')).trim();
}

/** Charsets whose text reads right from bytes as Node decodes them. */
const PLAIN_CHARSETS: Readonly<Record<string, BufferEncoding>> = { 'us-ascii': 'latin1', 'iso-8859-1': 'latin1', 'utf-8': 'utf8' };

/**
 * The text of a single-part `text/plain` message sent as it is (7bit, 8bit), with its stuffed
 * dots taken out: most invoice mail, read without a MIME parser (which cost the mail sinkhole
 * half its messages per second). Undefined when the message needs one.
 */
export function plainText(raw: string): string | undefined {
  const split = raw.indexOf('\r\n\r\n');
  if (split < 0) return undefined;
  const head = raw.slice(0, split);
  const type = headerValue(head, 'content-type') ?? 'text/plain';
  const encoding = (headerValue(head, 'content-transfer-encoding') ?? '7bit').toLowerCase();
  if (!/^text\/plain\s*(;|$)/i.test(type) || !['7bit', '8bit'].includes(encoding)) return undefined;
  const decodeAs = PLAIN_CHARSETS[(/;\s*charset="?([^";\s]+)/i.exec(type)?.[1] ?? 'us-ascii').toLowerCase()];
  if (decodeAs === undefined) return undefined;
  return Buffer.from(raw.slice(split + 4), 'latin1').toString(decodeAs).replace(/(^|\r\n)\.\./g, '$1.');
}

function headerValue(head: string, name: string): string | undefined {
  const headers = head.split('\r\n\r\n')[0] ?? '';
  const unfolded = headers.replace(/\r?\n[ \t]+/g, ' ');
  const line = unfolded.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name}:`));
  return line?.slice(name.length + 1).trim();
}

/** RFC 2047 encoded words (`=?UTF-8?B?...?=`, `=?UTF-8?Q?...?=`), as mail libraries write non-ASCII subjects. */
export function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_whole, charset: string, encoding: string, text: string) => {
      const bytes =
        encoding.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64')
          : Buffer.from(
              text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
              'latin1',
            );
      return new TextDecoder(charset.toLowerCase() === 'utf-8' || charset.toLowerCase() === 'utf8' ? 'utf-8' : 'latin1').decode(bytes);
    });
}
