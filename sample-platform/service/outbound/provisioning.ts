import { connect } from 'node:net';
import type { Endpoint } from '../settings.js';
import { ConnectError } from './reachability.js';
import type { Reachability } from './reachability.js';

/** Both for getting connected and, once connected, for handing the line over. */
const TIMEOUT_MS = 2000;

/** Sends one provisioning line to a switch over TCP; resolves once the switch has it. */
export function sendProvisioningLine(reach: Reachability, endpoint: Endpoint, line: string): Promise<void> {
  const name = `${endpoint.host}:${endpoint.port}`;
  return reach.through(
    name,
    () =>
      new Promise<void>((resolve, reject) => {
        let connected = false;
        let flushed = false;
        const socket = connect({ host: endpoint.host, port: endpoint.port, lookup: reach.lookup });
        const timer = setTimeout(() => {
          socket.destroy();
          if (flushed) resolve();
          else reject(connected ? new Error(`${name} did not take the request in time`) : new ConnectError(name, 'connect timeout'));
        }, TIMEOUT_MS);
        socket.on('connect', () => {
          connected = true;
          timer.refresh();
          socket.end(line, () => {
            flushed = true;
          });
        });
        // Whatever the switch answers is not needed, but unread data would turn our close into a reset.
        socket.on('data', () => undefined);
        socket.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        socket.on('close', (hadError) => {
          clearTimeout(timer);
          if (!hadError && flushed) resolve();
          else if (!hadError) reject(new Error(`${name} closed the connection before the request was sent`));
        });
      }),
  );
}
