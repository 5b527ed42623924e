import type { IResult, ISqlType } from 'mssql';
import type { MssqlPool, MssqlRequest, MssqlTransaction } from '../../sample-platform/service/database/mssql.js';

export interface SentRequest {
  /** 'pool' or the number of the transaction the request went on. */
  readonly via: 'pool' | number;
  readonly text: string;
  readonly inputs: { name: string; type: string; length?: number; value: unknown }[];
}

export type Answer = (sent: SentRequest) => Partial<IResult<Record<string, unknown>>> | Error;

/**
 * Stands in for an mssql ConnectionPool and records what our code sends: each request's text,
 * its inputs in the order bound, and whether it went on the pool or on a transaction. What each
 * request returns comes from `answer`, so tests decide the server's side.
 */
export class FakePool implements MssqlPool {
  readonly sent: SentRequest[] = [];
  readonly events: string[] = [];
  connected = false;
  closed = false;
  private transactions = 0;

  constructor(
    private readonly answer: Answer = () => ({}),
    private readonly connectError?: Error,
  ) {}

  async connect(): Promise<void> {
    if (this.connectError) throw this.connectError;
    this.connected = true;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.events.push('pool close');
  }

  request(): MssqlRequest {
    return this.makeRequest('pool');
  }

  transaction(): MssqlTransaction & { failRollback?: boolean } {
    const id = ++this.transactions;
    const events = this.events;
    const tx = {
      failRollback: false,
      begin: async () => void events.push(`begin ${id}`),
      commit: async () => void events.push(`commit ${id}`),
      rollback: async () => {
        events.push(`rollback ${id}`);
        if (tx.failRollback) throw new Error('Transaction has been aborted.');
      },
      request: () => this.makeRequest(id),
    };
    return tx;
  }

  private makeRequest(via: 'pool' | number): MssqlRequest {
    const inputs: SentRequest['inputs'] = [];
    return {
      input: (name: string, type: ISqlType, value: unknown) => {
        const declared = type as unknown as { type: { declaration: string }; length?: number };
        inputs.push({ name, type: declared.type.declaration, ...(declared.length !== undefined ? { length: declared.length } : {}), value });
        return undefined;
      },
      query: async (text: string) => {
        const sent = { via, text, inputs };
        this.sent.push(sent);
        this.events.push(`query ${via}`);
        const result = this.answer(sent);
        if (result instanceof Error) throw result;
        return { recordsets: [], recordset: [], rowsAffected: [], output: {}, ...result } as unknown as IResult<Record<string, unknown>>;
      },
    };
  }
}
