import { connect } from 'node:net';
import type { Socket } from 'node:net';

export type ControlResponse = { readonly ok: boolean; readonly error?: string; readonly [key: string]: unknown };

/** A client for the billing service's control socket: one request line out, one reply line back. */
export class ControlClient {
  private buffered = '';
  private readonly waiting: ((line: string) => void)[] = [];
  private closedError: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffered += chunk;
      let newline: number;
      while ((newline = this.buffered.indexOf('\n')) >= 0) {
        const line = this.buffered.slice(0, newline);
        this.buffered = this.buffered.slice(newline + 1);
        this.waiting.shift()?.(line);
      }
    });
    socket.on('close', () => {
      this.closedError = new Error('the billing service closed the control connection');
      for (const resolve of this.waiting.splice(0)) resolve('');
    });
    socket.on('error', () => undefined);
  }

  static connect(path: string): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      socket.once('connect', () => {
        socket.removeListener('error', reject);
        resolve(new ControlClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Sends a request object, or a raw line when given a string (to test malformed input). */
  request(request: object | string): Promise<ControlResponse> {
    if (this.closedError) return Promise.reject(this.closedError);
    const line = typeof request === 'string' ? request : JSON.stringify(request);
    return new Promise((resolve, reject) => {
      this.waiting.push((reply) => {
        if (reply === '') reject(this.closedError ?? new Error('empty reply from the billing service'));
        else resolve(JSON.parse(reply) as ControlResponse);
      });
      this.socket.write(`${line}\n`);
    });
  }

  close(): void {
    this.socket.end();
  }
}
