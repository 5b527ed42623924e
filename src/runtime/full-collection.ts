import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

/**
 * One full garbage collection, now. For a stage that just dropped large typed arrays (the outbound
 * records, 165 MB at a million accounts) and goes on to allocate outside the JavaScript heap
 * (SQLite's pages): V8 collects when its own heap grows, which native allocations never make it
 * do, so the dead arrays would stay resident under everything that follows. Exposing `gc` this
 * way is what Jest's leak detector does; the flag is switched off again so that no other code
 * sees a global `gc`.
 */
export function collectGarbageNow(): void {
  if (collect === undefined) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
    setFlagsFromString('--no-expose-gc');
  }
  collect();
}
