import { connect, type Socket } from 'node:net';

interface Waiting {
  resolve(line: string): void;
  reject(error: Error): void;
}

/**
 * A connection to a Unix socket that answers each request line with one JSON line, in order: the
 * billing service's control socket and the sandbox keeper's both speak this.
 */
export class JsonLineConnection {
  private buffered = '';
  private readonly waiting: Waiting[] = [];
  private closed: Error | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly peer: string,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffered += chunk;
      for (let newline = this.buffered.indexOf('\n'); newline >= 0; newline = this.buffered.indexOf('\n')) {
        const line = this.buffered.slice(0, newline);
        this.buffered = this.buffered.slice(newline + 1);
        this.waiting.shift()?.resolve(line);
      }
    });
    const fail = (error: Error): void => {
      this.closed ??= error;
      for (const waiting of this.waiting.splice(0)) waiting.reject(this.closed);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error(`${peer} closed the connection`)));
  }

  /** `peer` names the other end in messages, e.g. "the billing service". */
  static connect(path: string, peer: string): Promise<JsonLineConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.removeListener('error', reject);
        resolve(new JsonLineConnection(socket, peer));
      });
    });
  }

  /** Sends an object as one JSON line (or a raw line, to test malformed input) and resolves with the parsed reply. */
  request(request: object | string): Promise<unknown> {
    if (this.closed !== undefined) return Promise.reject(this.closed);
    const line = typeof request === 'string' ? request : JSON.stringify(request);
    return new Promise((resolve, reject) => {
      this.waiting.push({
        resolve: (reply) => {
          try {
            resolve(JSON.parse(reply));
          } catch {
            reject(new Error(`${this.peer} sent a malformed reply: ${reply.slice(0, 200)}`));
          }
        },
        reject,
      });
      this.socket.write(`${line}\n`);
    });
  }

  close(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** One request on a fresh connection, answered within `timeoutMs` (connecting included) or rejected with `timedOut()`. */
export async function requestOnce(path: string, request: object, options: { peer: string; timeoutMs: number; timedOut: () => Error }): Promise<unknown> {
  let connection: JsonLineConnection | undefined;
  let expired = false;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      expired = true;
      connection?.destroy();
      reject(options.timedOut());
    }, options.timeoutMs);
  });
  const exchange = async (): Promise<unknown> => {
    connection = await JsonLineConnection.connect(path, options.peer);
    if (expired) connection.destroy();
    return connection.request(request);
  };
  try {
    return await Promise.race([exchange(), deadline]);
  } finally {
    clearTimeout(timer);
    connection?.close();
  }
}
