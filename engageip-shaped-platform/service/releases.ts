import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { UserError } from '../../src/errors.js';

interface AdapterReleases {
  readonly releases: Readonly<Record<string, string>>;
  readonly regressionSwitches: { readonly release: string; readonly switches: readonly string[] };
}

/** The releases and the candidate's regression switches are written once, in the platform's adapter. */
const ADAPTER = parse(readFileSync(fileURLToPath(new URL('../../platforms/engageip-shaped/adapter.yaml', import.meta.url)), 'utf8')) as AdapterReleases;

export const SWITCHES: readonly string[] = ADAPTER.regressionSwitches.switches;

export interface Release {
  readonly name: string;
  readonly version: string;
  readonly switches: ReadonlySet<string>;
}

/** The release to run and its switches; only the candidate honours switches, and only known ones. */
export function parseRelease(name: string, switchList: string): Release {
  const version = ADAPTER.releases[name];
  if (version === undefined) throw new UserError(`Unknown release "${name}". Pass --release ${Object.keys(ADAPTER.releases).join(' or ')}.`);
  const wanted = switchList.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = wanted.filter((s) => !SWITCHES.includes(s));
  if (unknown.length > 0) throw new UserError(`Unknown regression switch ${unknown.join(', ')}. The ${ADAPTER.regressionSwitches.release} release knows: ${SWITCHES.join(', ')}.`);
  if (wanted.length > 0 && name !== ADAPTER.regressionSwitches.release) {
    throw new UserError(`Regression switches exist only in the ${ADAPTER.regressionSwitches.release} release, not in ${name} ${version}.`);
  }
  return { name, version, switches: new Set(wanted) };
}
