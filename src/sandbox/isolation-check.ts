import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { NetworkNamespace } from './namespace.js';

const run = promisify(execFile);

export interface IsolationEvidence {
  readonly proven: boolean;
  readonly interfaces: readonly string[];
  readonly routes: readonly string[];
  readonly summary: string;
}

/**
 * First proof of isolation: the namespace has no interface but loopback and no route, so the
 * kernel has nowhere to send a packet that is not for this namespace itself.
 */
export async function checkLoopbackOnly(ns: NetworkNamespace): Promise<IsolationEvidence> {
  const links = (await run('ip', ['-n', ns.name, '-o', 'link', 'show'], { encoding: 'utf8' })).stdout;
  const interfaces = links
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (l.split(':')[1] ?? '').trim().split('@')[0] ?? '');
  const routeOut = [
    (await run('ip', ['-n', ns.name, '-4', 'route', 'show'], { encoding: 'utf8' })).stdout,
    (await run('ip', ['-n', ns.name, '-6', 'route', 'show'], { encoding: 'utf8' })).stdout,
  ].join('\n');
  const routes = routeOut.split('\n').filter((l) => l.trim() !== '');
  const foreign = interfaces.filter((i) => i !== 'lo');
  const proven = foreign.length === 0 && routes.length === 0;
  const summary = proven
    ? `namespace ${ns.name} has only loopback and no routes`
    : `namespace ${ns.name} has ${foreign.length > 0 ? `interfaces ${foreign.join(', ')}` : ''}${foreign.length > 0 && routes.length > 0 ? ' and ' : ''}${routes.length > 0 ? `routes ${routes.join('; ')}` : ''}`;
  return { proven, interfaces, routes, summary };
}
