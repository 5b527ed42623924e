import { createConnection } from 'node:net';
import { UserError } from '../errors.js';

export type ControlResponse = { ok: true; [key: string]: unknown } | { ok: false; error: string };

/** Sends one JSON command over the billing service's control socket and reads its one-line answer. */
export function sendControlCommand(socketPath: string, command: Record<string, unknown>, timeoutMs = 10_000): Promise<ControlResponse> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    let buffer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new UserError(`The billing service did not answer \`${String(command.command)}\` within ${timeoutMs / 1000} s (socket ${socketPath}).`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(command)}\n`));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const newline = buffer.indexOf('\n');
      if (newline === -1) return;
      clearTimeout(timer);
      socket.end();
      try {
        resolve(JSON.parse(buffer.slice(0, newline)) as ControlResponse);
      } catch {
        reject(new Error(`billing service sent a malformed answer to ${String(command.command)}: ${buffer.slice(0, 200)}`));
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
