/**
 * The real Pulumi engine for tests: the CLI that scripts/install-pulumi.sh found or built, run on a
 * local file backend inside the test's own folder (state, PULUMI_HOME), never the user's.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';

export const INSTALL_HINT =
  'No Pulumi engine: neither the one scripts/install-pulumi.sh builds nor `pulumi` with `pulumi-language-nodejs` on PATH was found. ' +
  'Run `bash scripts/install-pulumi.sh` (it uses an installed Pulumi or builds one from the Go module proxy), then the tests again.';

/** Directory holding `pulumi` and `pulumi-language-nodejs`: the script's build first, then PATH. */
export function findEngineBin(): string | undefined {
  const version = /^PULUMI_VERSION=(\S+)$/m.exec(readFileSync(join(PROJECT_ROOT, 'scripts/pulumi-engine/versions.env'), 'utf8'))?.[1] ?? '';
  const cache = process.env['REHEARSAL_PULUMI_CACHE'] ?? '/var/cache/rehearsal/pulumi';
  const candidates = [join(cache, version, 'bin'), ...(process.env['PATH'] ?? '').split(':').filter(Boolean)];
  return candidates.find((dir) => existsSync(join(dir, 'pulumi')) && existsSync(join(dir, 'pulumi-language-nodejs')));
}

export interface PulumiResult {
  readonly code: number | null;
  /** stdout and stderr together, as a user sees them. */
  readonly output: string;
  readonly stdout: string;
  readonly seconds: number;
}

export interface Engine {
  run(cwd: string, args: readonly string[]): Promise<PulumiResult>;
}

/** An engine whose state and plugin home live under `dir`. */
export function engineIn(bin: string, dir: string): Engine {
  mkdirSync(join(dir, 'state'), { recursive: true });
  const env = {
    ...process.env,
    PATH: `${bin}:${process.env['PATH'] ?? ''}`,
    PULUMI_HOME: join(dir, 'home'),
    PULUMI_BACKEND_URL: `file://${join(dir, 'state')}`,
    PULUMI_CONFIG_PASSPHRASE: 'rehearsal engine test',
    PULUMI_SKIP_UPDATE_CHECK: 'true',
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
    NO_COLOR: '1',
  };
  return {
    run(cwd, args) {
      const started = performance.now();
      return new Promise((resolve, reject) => {
        const child = spawn(join(bin, 'pulumi'), [...args, '--color', 'never', '--non-interactive'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        let stdout = '';
        child.stdout.on('data', (b: Buffer) => {
          output += b.toString();
          stdout += b.toString();
        });
        child.stderr.on('data', (b: Buffer) => (output += b.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, output, stdout, seconds: (performance.now() - started) / 1000 }));
      });
    },
  };
}

/**
 * This repository's Pulumi project with `stacks/Pulumi.local.yaml` naming `plan`, in a folder of its
 * own: the program, node_modules and package.json are links to the repository, so the engine runs
 * the real program while the passphrase salt Pulumi writes into the stack file lands in the copy.
 */
export function localProject(dir: string, plan: string): string {
  const project = join(dir, 'project');
  mkdirSync(join(project, 'stacks'), { recursive: true });
  copyFileSync(join(PROJECT_ROOT, 'Pulumi.yaml'), join(project, 'Pulumi.yaml'));
  for (const name of ['infra', 'node_modules', 'package.json']) symlinkSync(join(PROJECT_ROOT, name), join(project, name));
  const stack = readFileSync(join(PROJECT_ROOT, 'stacks/Pulumi.local.yaml'), 'utf8');
  if (!/^ {2}rehearsal:plan: .*$/m.test(stack)) throw new Error('stacks/Pulumi.local.yaml no longer names rehearsal:plan');
  writeFileSync(join(project, 'stacks/Pulumi.local.yaml'), stack.replace(/^ {2}rehearsal:plan: .*$/m, `  rehearsal:plan: ${JSON.stringify(plan)}`));
  return project;
}

/** A one-file program (ESM TypeScript under the same runtime options as Pulumi.yaml) in `dir`. */
export function oneFileProject(dir: string, name: string, source: string): string {
  const project = join(dir, name);
  mkdirSync(project, { recursive: true });
  const runtime = readFileSync(join(PROJECT_ROOT, 'Pulumi.yaml'), 'utf8').match(/^runtime:\n(?: {2}.*\n)+/m)?.[0];
  if (runtime === undefined) throw new Error('Pulumi.yaml has no runtime block');
  writeFileSync(join(project, 'Pulumi.yaml'), `name: ${name}\n${runtime}main: index.ts\n`);
  writeFileSync(join(project, 'package.json'), '{ "type": "module" }\n');
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(project, 'node_modules'));
  writeFileSync(join(project, 'index.ts'), source);
  return project;
}
