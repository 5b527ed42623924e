import type { Fragment } from '../../src/sql/fragment.js';
import { tsqlDialect } from '../../src/sql/tsql.js';
import type { DatabaseEngine, Row, TableInfo } from '../../src/engine/types.js';

/**
 * A T-SQL engine that runs nothing: it records the fragments product code hands it and answers
 * from a script, so golden tests capture exactly what code such as the run marker generates.
 */
export class RecordingEngine implements DatabaseEngine {
  readonly kind = 'mssql' as const;
  readonly dialect = tsqlDialect;
  readonly description = 'recording engine';
  readonly statements: Fragment[] = [];

  constructor(
    private readonly answer: (statement: Fragment) => Row[] = () => [],
    private readonly tableList: TableInfo[] = [],
  ) {}

  async query<T extends Row = Row>(statement: Fragment): Promise<T[]> {
    this.statements.push(statement);
    return this.answer(statement) as T[];
  }
  async exec(statement: Fragment) {
    this.statements.push(statement);
    return { rowsAffected: 1 };
  }
  async *stream<T extends Row = Row>(statement: Fragment): AsyncIterable<T> {
    yield* await this.query<T>(statement);
  }
  async transaction<T>(work: (tx: DatabaseEngine) => Promise<T>): Promise<T> {
    return work(this);
  }
  async tables(): Promise<TableInfo[]> {
    return this.tableList;
  }
  async close(): Promise<void> {}
}
