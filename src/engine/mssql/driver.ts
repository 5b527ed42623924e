import { mssqlDriver } from './module.js';
import type { config as MssqlConfig, IResult, ISqlType } from 'mssql';

/**
 * The narrow part of `mssql` the engine uses. Tests hand the engine a fake with this shape, so
 * what is bound and sent can be checked without a server.
 */
export interface MssqlRequest {
  stream: boolean;
  input(name: string, type: ISqlType, value: unknown): unknown;
  /** Parameterized: sent through sp_executesql. */
  query(text: string): Promise<IResult<Record<string, unknown>>>;
  /** Sent as a plain batch, as sqlcmd sends a script batch. */
  batch(text: string): Promise<IResult<Record<string, unknown>>>;
  pause(): boolean;
  resume(): boolean;
  cancel(): void;
  on(event: 'row', listener: (row: Record<string, unknown>) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'done', listener: (result: { rowsAffected: number[] }) => void): unknown;
}

export interface MssqlRequestSource {
  request(): MssqlRequest;
}

export interface MssqlTransaction extends MssqlRequestSource {
  begin(): Promise<unknown>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export interface MssqlPool extends MssqlRequestSource {
  connect(): Promise<unknown>;
  close(): Promise<void>;
  transaction(): MssqlTransaction;
}

export type CreatePool = (config: MssqlConfig) => MssqlPool;

export const createMssqlPool: CreatePool = (config) => new (mssqlDriver().ConnectionPool)(config);
