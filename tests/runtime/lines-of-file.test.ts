import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { linesOf } from '../../src/runtime/lines-of-file.js';

const CHUNK = 64 * 1024;

t.test('a character whose UTF-8 bytes a chunk boundary splits is read whole, at every split', async (t) => {
  const dir = t.testdir({});
  // 2-, 3- and 4-byte characters, each placed so that the boundary falls after each of its bytes.
  for (const character of ['é', '€', '𝄞']) {
    const bytes = Buffer.byteLength(character);
    for (let before = 1; before < bytes; before++) {
      const file = join(dir, `split-${bytes}-${before}.txt`);
      const padding = 'a'.repeat(CHUNK - before);
      const line = `${padding}${character}tail`;
      writeFileSync(file, `${line}\nsecond ${character}\n`);
      t.same([...linesOf(file)], [line, `second ${character}`], `${character} split after byte ${before} of ${bytes}`);
    }
  }
});

t.test('lines across chunks, a last line without a newline, blank lines skipped, a missing file has none', async (t) => {
  const dir = t.testdir({});
  const file = join(dir, 'lines.txt');
  const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(i % 97)} ü`);
  writeFileSync(file, `${lines.slice(0, 2500).join('\n')}\n\n  \n${lines.slice(2500).join('\n')}`);
  t.same([...linesOf(file)], lines);
  t.same([...linesOf(join(dir, 'no-such-file'))], []);
});
