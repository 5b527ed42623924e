import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { Socket } from 'node:net';
import { PREVIEW_LIMIT, previewBytes } from './bytes-preview.js';
import { destinationOf, firstBytes, isoNow, peerOf, type SinkholeContext } from './context.js';
import { isProbe, sinkholeAnswer } from './probe-protocol.js';

/** A provisioning client that connects and says nothing is recorded after this long. */
const SILENT_CLIENT_MS = 2000;

const FIRST_LINE = { enough: (data: Buffer): boolean => data.includes(0x0a), max: PREVIEW_LIMIT, waitMs: SILENT_CLIENT_MS };

/** Records a TCP connection to a switch port: who, where, when and the first bytes; answers nothing. */
export function handleSwitchConnection(ctx: SinkholeContext, socket: Socket, service: string): void {
  const time = isoNow();
  const destination = destinationOf(ctx, socket);
  const peer = peerOf(socket);
  firstBytes(socket, FIRST_LINE, (data) => {
    if (isProbe(data)) {
      socket.end(sinkholeAnswer(ctx.config.nonce));
      return;
    }
    const account = ctx.attribution.accountIn(data.toString('latin1'));
    // Closed once the entry is written, with the other entries of this turn of the loop. The socket
    // stays paused until then: reading the client's end first would let Node close it on its own.
    ctx.ledger.appendThenAnswer(
      {
        kind: 'provisioning',
        time,
        destination,
        peer,
        ...(account === undefined ? {} : { account }),
        service,
        firstBytes: previewBytes(data),
      },
      closeAfterReading,
      socket,
    );
  });
}

/** Reads and drops the rest so the client's close is clean, like a switch that took the order. */
function closeAfterReading(socket: Socket): void {
  socket.on('data', ignore);
  socket.resume();
  socket.end();
}

function ignore(): void {}

/** One UDP socket per switch port (RADIUS, SNMP, SIP): each datagram is an attempt. */
export function listenUdpSwitch(ctx: SinkholeContext, port: number, service: string): Promise<UdpSocket> {
  const socket = createSocket('udp4');
  socket.on('message', (data, peer) => {
    if (isProbe(data)) {
      socket.send(sinkholeAnswer(ctx.config.nonce), peer.port, peer.address);
      return;
    }
    const account = ctx.attribution.accountIn(data.subarray(0, PREVIEW_LIMIT).toString('latin1'));
    ctx.ledger.append({
      kind: 'provisioning',
      time: isoNow(),
      // A datagram does not tell which local address it was sent to; the port is what we know.
      destination: { host: '*', address: '0.0.0.0', port, protocol: 'udp' },
      peer: { address: peer.address, port: peer.port },
      ...(account === undefined ? {} : { account }),
      service,
      firstBytes: previewBytes(data),
    });
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '0.0.0.0', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}
