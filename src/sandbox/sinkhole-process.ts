import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { SafetyError } from '../errors.js';
import { typescriptCommand } from '../runtime/typescript-process.js';

const MAIN = fileURLToPath(new URL('../sinkholes/main.ts', import.meta.url));
const READY_TIMEOUT_MS = 10_000;

export interface SinkholeProcess {
  readonly pid: number;
  readonly tcpPorts: readonly number[];
  readonly udpPorts: readonly number[];
  /** Makes the process re-read host names and the server certificate; resolves once it has. */
  reload(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts `src/sinkholes/main.ts` inside the namespace and waits for its READY line. Its stdin
 * is a pipe from us: when this process dies, even by kill -9, the sinkhole sees it close and exits.
 */
export async function startSinkholeProcess(namespace: string, configPath: string): Promise<SinkholeProcess> {
  const sinkholes = typescriptCommand(MAIN, ['--config', configPath, '--exit-with-stdin']);
  const child = spawn('ip', ['netns', 'exec', namespace, sinkholes.command, ...sinkholes.args], { stdio: ['pipe', 'pipe', 'pipe'], env: sinkholes.env });
  const ready = await waitForReady(child, namespace);
  const lines = createInterface({ input: child.stdout! });
  const reloads: (() => void)[] = [];
  lines.on('line', (line) => {
    if (line === 'RELOADED') reloads.shift()?.();
  });
  return {
    pid: child.pid ?? 0,
    tcpPorts: ready.tcp,
    udpPorts: ready.udp,
    reload: () =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the sinkholes of ${namespace} did not reload within 5 s`)), 5000);
        reloads.push(() => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGHUP');
      }),
    stop: () => stopChild(child),
  };
}

function waitForReady(child: ChildProcess, namespace: string): Promise<{ tcp: number[]; udp: number[] }> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString('utf8');
    });
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(
        new SafetyError(
          `The sinkholes of sandbox ${namespace} did not start (${why}). Without them the isolation ` +
            `cannot be proven, so nothing will run. ${stderr.trim().split('\n').slice(-3).join(' ')}`,
          1,
        ),
      );
    };
    const timer = setTimeout(() => fail(`no READY within ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
    child.once('exit', (code) => fail(`exited with code ${code}`));
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (!line.startsWith('READY ')) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      lines.close();
      resolve(JSON.parse(line.slice('READY '.length)) as { tcp: number[]; udp: number[] });
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 2000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.stdin?.end();
  });
}
