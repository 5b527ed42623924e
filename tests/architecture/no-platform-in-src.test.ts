import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';

/**
 * The product knows no platform: no file under src/ imports anything under platforms/ or a
 * stand-in's own folder, or names one (a path, a folder name in a string or comment). Adding a
 * platform is a new folder; this test keeps it so.
 */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const SRC = join(PROJECT_ROOT, 'src');
const platforms = readdirSync(join(PROJECT_ROOT, 'platforms')).filter((name) => statSync(join(PROJECT_ROOT, 'platforms', name)).isDirectory());
/** Folders beside the product that hold a stand-in's own code (its service, generator, schema). */
const standInCode = readdirSync(PROJECT_ROOT).filter((name) => name.endsWith('-platform'));
const forbidden = [...platforms.map((name) => `platforms/${name}`), ...standInCode];

t.ok(platforms.includes('sample'), 'the sample platform is an adapter folder');
t.ok(standInCode.includes('sample-platform'), "the sample's service code is found as a stand-in folder");

t.test('no file under src/ names a platform folder', async (t) => {
  const offenders: string[] = [];
  for (const file of filesUnder(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const name of forbidden) if (text.includes(name)) offenders.push(`${relative(PROJECT_ROOT, file)} names ${name}`);
  }
  t.same(offenders, []);
});

t.test('no file under src/ imports from outside src/ other than packages', async (t) => {
  const offenders: string[] = [];
  for (const file of filesUnder(SRC).filter((f) => /\.(ts|mts|js)$/.test(f))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)) {
      const specifier = match[1] ?? '';
      if (!specifier.startsWith('.')) continue;
      const target = resolve(dirname(file), specifier);
      if (!target.startsWith(`${SRC}/`)) offenders.push(`${relative(PROJECT_ROOT, file)} imports ${specifier}`);
    }
  }
  t.same(offenders, []);
});

t.test('the check itself catches a named platform', async (t) => {
  t.ok(forbidden.some((name) => 'import { x } from "../../platforms/sample/driver.js"'.includes(name)));
});
