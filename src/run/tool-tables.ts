import { MARKER_TABLE } from './marker.js';
import { SEAL_TABLE } from './copy-seal.js';
import { FAKE_TABLE_PREFIX } from '../sanitize/fake-values.js';

/** Tables the tool itself writes into a copy (run marker, seal, masking tables): never the platform's data. */
export function isToolTable(table: string): boolean {
  return table === MARKER_TABLE || table === SEAL_TABLE || table.startsWith(FAKE_TABLE_PREFIX);
}
