import type { Socket } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { plainAddress, type SinkholeContext } from './context.js';

const MAX_HEADER_BYTES = 64 * 1024;
const MAX_MESSAGE_BYTES = 50 * 1024 * 1024;

/**
 * The mail sinkhole: accepts every message from anyone to anyone (no auth needed, no relay ever:
 * nothing is forwarded) and records the envelope, subject and size, never the body. The greeting
 * carries the run's nonce so a probe can tell this server from a real one.
 */
export function createMailSinkhole(ctx: SinkholeContext, implicitTls: boolean): SMTPServer {
  const startTls = ctx.tls !== undefined;
  return new SMTPServer({
    // The nonce is in the server name too: every reply carries it, so a probe that speaks before a
    // slow greeting ("You talk too soon") still recognises this run's sinkhole.
    name: `rehearsal-sinkhole-${ctx.config.nonce}`,
    banner: `rehearsal sinkhole ${ctx.config.nonce}`,
    // A reverse lookup inside the sandbox can only fail, and it delays the greeting.
    disableReverseLookup: true,
    secure: implicitTls,
    ...(ctx.tls ? { key: ctx.tls.key, cert: ctx.tls.cert } : {}),
    disabledCommands: startTls ? [] : ['STARTTLS'],
    hideSTARTTLS: !startTls,
    authOptional: true,
    onAuth: (_auth, _session, callback) => callback(null, { user: 'rehearsal' }),
    size: MAX_MESSAGE_BYTES,
    logger: false,
    onData: (stream, session, callback) => recordMessage(ctx, stream, session, callback),
  });
}

/** Hands an accepted socket to the SMTP server (the sinkhole owns the listening sockets). */
export function serveMail(server: SMTPServer, socket: Socket): void {
  server.server.emit('connection', socket);
}

function recordMessage(
  ctx: SinkholeContext,
  stream: SMTPServerDataStream,
  session: SMTPServerSession,
  callback: (error?: Error | null) => void,
): void {
  let size = 0;
  let head = '';
  stream.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (head.length < MAX_HEADER_BYTES && !head.includes('\r\n\r\n')) head += chunk.toString('latin1');
  });
  stream.on('end', () => {
    const subject = decodeHeader(headerValue(head, 'subject') ?? '');
    const mailFrom = session.envelope.mailFrom;
    const to = session.envelope.rcptTo.map((r) => r.address);
    const address = plainAddress(session.localAddress);
    const account = ctx.attribution.accountIn(subject);
    ctx.ledger.append({
      kind: 'mail',
      time: new Date().toISOString(),
      destination: {
        host: ctx.hosts.get(address) ?? address,
        address,
        port: session.localPort,
        protocol: 'tcp',
      },
      peer: { address: plainAddress(session.remoteAddress), port: session.remotePort },
      ...(account === undefined ? {} : { account }),
      from: mailFrom === false ? '' : mailFrom.address,
      to,
      subject,
      sizeBytes: size,
    });
    callback(null);
  });
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
