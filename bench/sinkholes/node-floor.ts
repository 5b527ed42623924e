// The bench's third server: what Node itself costs with nothing recorded, to tell the part of a gap
// to the reference that is the runtime from the part that is our sinkholes' own work.
//   node-floor.ts <ca dir> <https port> <tcp port>  →  prints READY once both listen.
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';

const [caDir = '', httpsPort = '', tcpPort = ''] = process.argv.slice(2);
const answer = '{"approved":true,"transaction_id":"rh_00000000000000000000"}';

const https = createHttpsServer({ key: readFileSync(join(caDir, 'server.key')), cert: readFileSync(join(caDir, 'server.crt')), noDelay: true }, (req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(answer) });
    res.end(answer);
  });
});
// Reads what the client sends first and closes, as nginx stream's preread and return do.
const tcp = createTcpServer({ noDelay: true }, (socket) => {
  socket.on('error', () => socket.destroy());
  socket.once('data', () => {
    socket.resume();
    socket.end();
  });
});
await Promise.all([
  new Promise<void>((resolve) => https.listen(Number(httpsPort), '127.0.0.1', resolve)),
  new Promise<void>((resolve) => tcp.listen(Number(tcpPort), '127.0.0.1', 511, resolve)),
]);
process.on('SIGTERM', () => process.exit(0));
process.stdout.write('READY\n');
