// The load client in a process of its own, started inside the bench's network namespace:
//   load-worker.ts '<LoadSpec as JSON>'  →  prints the LoadResult as JSON on stdout.
import { runLoad, type LoadSpec } from './load.js';

const spec = JSON.parse(process.argv[2] ?? '') as LoadSpec;
const result = await runLoad(spec);
process.stdout.write(`${JSON.stringify(result)}\n`);
