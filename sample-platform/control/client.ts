import { JsonLineConnection } from '../../src/runtime/json-line-socket.js';

export type ControlResponse = { readonly ok: boolean; readonly error?: string; readonly [key: string]: unknown };

/** A client for the billing service's control socket: one request line out, one reply line back. */
export class ControlClient {
  private constructor(private readonly connection: JsonLineConnection) {}

  static async connect(path: string): Promise<ControlClient> {
    return new ControlClient(await JsonLineConnection.connect(path, 'the billing service'));
  }

  /** Sends a request object, or a raw line when given a string (to test malformed input). */
  async request(request: object | string): Promise<ControlResponse> {
    return (await this.connection.request(request)) as ControlResponse;
  }

  close(): void {
    this.connection.close();
  }
}
