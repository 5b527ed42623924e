import { connect } from 'node:net';

/**
 * Sends one provisioning line to a switch over TCP and closes; resolves once the connection has
 * closed cleanly, rejects when the switch cannot be reached or does not take it within `timeoutMs`.
 */
export function sendLine(target: { readonly host: string; readonly port: number }, line: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.host, port: target.port });
    const timer = setTimeout(() => socket.destroy(new Error(`${target.host}:${target.port} did not take the request in time`)), timeoutMs);
    socket.on('connect', () => socket.end(line));
    // Whatever the switch answers is not needed, but unread data would turn our close into a reset.
    socket.on('data', () => undefined);
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', (hadError) => {
      clearTimeout(timer);
      if (!hadError) resolve();
    });
  });
}
