import { execFileSync } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';
import type { MachineInfo, SourceState } from './results.js';

export function machineInfo(): MachineInfo {
  const cores = cpus();
  return {
    cpus: cores.length,
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    memoryMb: Math.round(totalmem() / 1024 / 1024),
    kernel: release(),
    node: process.version,
  };
}

/** Which code was measured: the commit, and the files that differed from it at the time. */
export function sourceState(projectRoot: string): SourceState {
  const git = (args: string[]): string | undefined => {
    try {
      return execFileSync('git', args, { cwd: projectRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return undefined;
    }
  };
  const commit = git(['rev-parse', 'HEAD'])?.trim() ?? 'unknown (not a git checkout)';
  const uncommitted = (git(['status', '--porcelain']) ?? '')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.slice(3));
  return { commit, uncommitted };
}
