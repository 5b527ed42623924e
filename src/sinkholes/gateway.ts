import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { previewBytes } from './bytes-preview.js';
import { readClientHello } from './client-hello.js';
import type { DeclineRule } from './config.js';
import { destinationOf, firstBytes, isoNow, peerOf, plainAddress, type SinkholeContext } from './context.js';
import { isProbe, sinkholeAnswer } from './probe-protocol.js';
import { chargeFactsOf, requestHeadersOf, type ChargeFacts } from './payment-request.js';
import type { TlsEntry } from './ledger.js';

const MAX_BODY_BYTES = 64 * 1024;
const CLIENT_HELLO_MAX = 16 * 1024 + 5;
const CLIENT_HELLO_WAIT = {
  enough: (data: Buffer): boolean => isProbe(data) || readClientHello(data).state !== 'incomplete',
  max: CLIENT_HELLO_MAX,
  waitMs: 2000,
};

export type PaymentAnswer =
  | { readonly approved: true; readonly transaction_id: string }
  | { readonly approved: false; readonly transaction_id: string; readonly reason: string };

export function answerCharge(facts: ChargeFacts, rule: DeclineRule): PaymentAnswer {
  // The first 20 hex digits of a UUID (8-4-4-4-…), cut out without making the dashless copy.
  const uuid = randomUUID();
  const transaction_id = `rh_${uuid.slice(0, 8)}${uuid.slice(9, 13)}${uuid.slice(14, 18)}${uuid.slice(19, 23)}`;
  if (facts.last4 !== undefined && rule.last4.includes(facts.last4)) {
    return { approved: false, transaction_id, reason: 'card declined (rehearsal sinkhole rule)' };
  }
  if (rule.aboveCents !== undefined && facts.amountCents !== undefined && facts.amountCents > rule.aboveCents) {
    return { approved: false, transaction_id, reason: 'amount over the rehearsal decline limit' };
  }
  return { approved: true, transaction_id };
}

/** The HTTPS side of the payment sinkhole: answers like a gateway and records the charge. */
export function createPaymentServer(ctx: SinkholeContext): Server | undefined {
  if (!ctx.tls) return undefined;
  return createServer({ key: ctx.tls.key, cert: ctx.tls.cert }, (req, res) => handleCharge(ctx, req, res));
}

/** A connection's addresses, read once: a kept-alive connection carries thousands of charges. */
interface ConnectionAddresses {
  readonly address: string;
  readonly port: number;
  readonly peer: { readonly address: string; readonly port: number };
}
// A WeakMap, not a property: a property added to Node's own socket objects changes their shape,
// which slows Node's code that reads them. One entry per connection, not per charge (a WeakMap
// entry per charge tripled the garbage collector's time).
const connectionAddresses = new WeakMap<Socket, ConnectionAddresses>();

function addressesOf(socket: Socket): ConnectionAddresses {
  let addresses = connectionAddresses.get(socket);
  if (addresses === undefined) {
    addresses = { address: plainAddress(socket.localAddress), port: socket.localPort ?? 0, peer: peerOf(socket) };
    connectionAddresses.set(socket, addresses);
  }
  return addresses;
}

// Callbacks passed inline and a module-level answer: under tsx a named closure costs a `__name`
// call each time it is made, and this runs for every charge.
function handleCharge(ctx: SinkholeContext, req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on('end', () => recordCharge(ctx, req, res, chunks));
}

function recordCharge(ctx: SinkholeContext, req: IncomingMessage, res: ServerResponse, chunks: readonly Buffer[]): void {
  const socket = req.socket as TLSSocket;
  const connection = addressesOf(socket);
  const hostHeader = req.headers.host;
  const named = hostHeader === undefined ? '' : hostHeader.replace(/:\d+$/, '');
  const host = named || (typeof socket.servername === 'string' ? socket.servername : '') || (ctx.hosts.get(connection.address) ?? connection.address);
  const body = (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString('utf8');
  const facts = chargeFactsOf(body, req.headers, ctx.attribution);
  const answer = answerCharge(facts, ctx.config.decline);
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  // Every field present, the missing ones undefined (JSON leaves them out): one object shape for
  // every charge, and no spread objects made and copied per field.
  ctx.ledger.appendThenAnswer(
    {
      kind: 'payment',
      time: isoNow(),
      destination: { host, address: connection.address, port: connection.port, protocol: 'tcp' },
      peer: connection.peer,
      account: facts.account,
      method: req.method ?? 'GET',
      path: query < 0 ? url : url.slice(0, query),
      amountCents: facts.amountCents,
      currency: facts.currency,
      invoice: facts.invoice,
      last4: facts.last4,
      form: facts.form,
      headers: requestHeadersOf(req.headers),
      idempotencyKey: facts.idempotencyKey,
      approved: answer.approved,
      transactionId: answer.transaction_id,
    },
    respondToCharge,
    { res, text: JSON.stringify(answer) },
  );
}

function respondToCharge(reply: { readonly res: ServerResponse; readonly text: string }): void {
  reply.res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(reply.text) });
  reply.res.end(reply.text);
}

/**
 * Every connection to a TLS port: the ClientHello's server name is recorded for any client;
 * with the per-run CA the connection is handed on to `tlsHandler` (HTTPS payments, SMTPS).
 */
export function handleTlsConnection(ctx: SinkholeContext, socket: Socket, tlsHandler: ((socket: Socket) => void) | undefined): void {
  const time = isoNow();
  const destination = destinationOf(ctx, socket);
  const peer = peerOf(socket);
  firstBytes(socket, CLIENT_HELLO_WAIT, (data) => {
    if (isProbe(data)) {
      socket.end(sinkholeAnswer(ctx.config.nonce));
      return;
    }
    const hello = readClientHello(data);
    const terminated = hello.state === 'hello' && tlsHandler !== undefined;
    const entry: TlsEntry = {
      kind: 'tls',
      time,
      destination: hello.state === 'hello' && hello.serverName ? { ...destination, host: hello.serverName } : destination,
      peer,
      ...(hello.state === 'hello' && hello.serverName ? { serverName: hello.serverName } : {}),
      terminated,
      ...(hello.state === 'not-tls' && data.length > 0 ? { firstBytes: previewBytes(data) } : {}),
    };
    // The handshake goes on once the entry is written, with the other entries of this turn of the loop.
    ctx.ledger.appendThenAnswer(entry, () => {
      // A client gone in the meantime has nothing left to hand on.
      if (!terminated || tlsHandler === undefined || socket.destroyed) {
        socket.destroy();
        return;
      }
      socket.unshift(data);
      tlsHandler(socket);
    });
  });
}
