import type { SqliteEngine } from '../../src/engine/sqlite.js';
import type { DatabaseEngine } from '../../src/engine/types.js';
import type { RuleSet } from '../../src/sanitize/rules.js';

/** A rule set with no rules: the proof scans every text column whatever the rules are. */
export const NO_RULES: RuleSet = {
  file: 'rules.yaml',
  vendorScripts: [],
  rules: [],
  errorAt: () => {
    throw new Error('not used');
  },
};

/** The same engine without being a SqliteEngine, so the proof takes the streaming path other engines take. */
export function streamingOnly(engine: SqliteEngine): DatabaseEngine {
  return {
    kind: engine.kind,
    dialect: engine.dialect,
    description: engine.description,
    query: (s) => engine.query(s),
    exec: (s) => engine.exec(s),
    stream: (s) => engine.stream(s),
    transaction: (work) => engine.transaction(work),
    tables: () => engine.tables(),
    close: () => engine.close(),
  };
}
