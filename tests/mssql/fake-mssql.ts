import { EventEmitter } from 'node:events';
import type { config as MssqlConfig, IResult, ISqlType } from 'mssql';
import type { CreatePool, MssqlPool, MssqlRequest, MssqlTransaction } from '../../src/engine/mssql/driver.js';

/** One statement as the fake driver received it. */
export interface SentStatement {
  readonly via: 'query' | 'batch';
  readonly text: string;
  readonly inputs: { readonly name: string; readonly type: ISqlType; readonly value: unknown }[];
  /** `pool` or the transaction's number (1, 2, ...). */
  readonly on: 'pool' | number;
}

export interface FakeResponse {
  readonly recordset?: Record<string, unknown>[];
  readonly rowsAffected?: number[];
}

export type Responder = (statement: SentStatement) => FakeResponse | Error;

/**
 * Stands in for `mssql` at the engine's seam: records what is bound and sent, answers from a
 * responder, and streams rows honouring pause()/resume() like the real driver.
 */
export class FakeMssql {
  readonly sent: SentStatement[] = [];
  readonly events: string[] = [];
  configs: MssqlConfig[] = [];
  connectError: Error | undefined;
  rollbackError: Error | undefined;
  respond: Responder = () => ({});
  /** Streaming: rows emitted by the driver and rows the consumer had not yet taken at most. */
  streamStats = { emitted: 0, pauses: 0, cancelled: false };
  private transactions = 0;

  readonly createPool: CreatePool = (config) => {
    this.configs.push(config);
    return this.pool();
  };

  private pool(): MssqlPool {
    return {
      connect: async () => {
        this.events.push('connect');
        if (this.connectError !== undefined) throw this.connectError;
      },
      close: async () => {
        this.events.push('close');
      },
      request: () => this.request('pool'),
      transaction: () => this.transaction(),
    };
  }

  private transaction(): MssqlTransaction {
    const id = ++this.transactions;
    return {
      begin: async () => void this.events.push(`begin ${id}`),
      commit: async () => void this.events.push(`commit ${id}`),
      rollback: async () => {
        this.events.push(`rollback ${id}`);
        if (this.rollbackError !== undefined) throw this.rollbackError;
      },
      request: () => this.request(id),
    };
  }

  private request(on: 'pool' | number): MssqlRequest {
    const emitter = new EventEmitter();
    const inputs: SentStatement['inputs'] = [];
    let paused = false;
    let pump: (() => void) | undefined;
    const send = async (via: 'query' | 'batch', text: string): Promise<IResult<Record<string, unknown>>> => {
      const statement = { via, text, inputs, on };
      this.sent.push(statement);
      const response = this.respond(statement);
      if (request.stream) {
        startStream(response);
        return undefined as unknown as IResult<Record<string, unknown>>;
      }
      if (response instanceof Error) throw response;
      const recordset = response.recordset ?? [];
      return { recordset, recordsets: [recordset], rowsAffected: response.rowsAffected ?? [], output: {} } as unknown as IResult<Record<string, unknown>>;
    };
    const startStream = (response: FakeResponse | Error): void => {
      const rows = response instanceof Error ? [] : (response.recordset ?? []);
      let next = 0;
      let ended = false;
      pump = () => {
        while (!paused && !ended && next < rows.length) {
          this.streamStats.emitted++;
          emitter.emit('row', rows[next++]);
        }
        if (!ended && next === rows.length) {
          ended = true;
          if (response instanceof Error) emitter.emit('error', response);
          emitter.emit('done', { rowsAffected: [] });
        }
      };
      setImmediate(pump);
    };
    const request: MssqlRequest = {
      stream: false,
      input: (name, type, value) => {
        inputs.push({ name, type, value });
        return request;
      },
      query: (text) => send('query', text),
      batch: (text) => send('batch', text),
      pause: () => {
        paused = true;
        this.streamStats.pauses++;
        return true;
      },
      resume: () => {
        paused = false;
        if (pump !== undefined) setImmediate(pump);
        return true;
      },
      cancel: () => {
        this.streamStats.cancelled = true;
      },
      on(event: string, listener: (...args: never[]) => void) {
        emitter.on(event, listener as (...args: unknown[]) => void);
        return request;
      },
    };
    return request;
  }
}
