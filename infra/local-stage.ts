/**
 * One stage of the local sandbox (`scripts/rehearse.ts <stage> <plan>`) as a Pulumi resource, through
 * a dynamic provider: it needs no provider plugin, so `pulumi up -s local` runs wherever the Pulumi
 * CLI and this repository's node_modules are. The provider is serialized into the state, so
 * `pulumi destroy` runs the stored `delete` command even if the program has changed since.
 */
import * as pulumi from '@pulumi/pulumi';

export interface LocalStageInputs {
  /** Working directory: the project root. */
  readonly dir: string;
  /** Program and arguments run on create (no shell). */
  readonly create: readonly string[];
  /** Program and arguments run on destroy (no shell). */
  readonly delete?: readonly string[];
  /** Any change runs the stage again (replacement). */
  readonly triggers: readonly string[];
}

interface LocalStageState extends LocalStageInputs {
  readonly stdout: string;
}

type StageArgs = { [K in keyof LocalStageInputs]: pulumi.Input<LocalStageInputs[K]> };

/** Runs argv in dir; a non-zero exit is an error that names the command and ends with its stderr. */
function runArgv(argv: readonly string[], dir: string): string {
  // Built-ins are fetched here, not imported: this function is serialized into the stack's state.
  const { spawnSync } = process.getBuiltinModule('node:child_process');
  const [program, ...args] = argv;
  if (program === undefined) throw new Error('empty command');
  const result = spawnSync(program, args, { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error !== undefined) throw new Error(`${argv.join(' ')} could not start: ${result.error.message}`);
  if (result.status !== 0) {
    const detail = `${result.stderr}${result.stdout}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(`${argv.join(' ')} exited with ${result.status ?? result.signal}:\n${detail}`);
  }
  return result.stdout;
}

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

const localStageProvider: pulumi.dynamic.ResourceProvider<LocalStageInputs, LocalStageState> = {
  async create(inputs) {
    const stdout = runArgv(inputs.create, inputs.dir);
    const { randomUUID } = process.getBuiltinModule('node:crypto');
    return { id: randomUUID(), outs: { ...inputs, stdout } };
  },
  async diff(_id, olds, news) {
    const replaces = (['dir', 'create', 'triggers'] as const).filter((k) => (k === 'dir' ? olds.dir !== news.dir : !sameList(olds[k], news[k])));
    const changes = replaces.length > 0 || !sameList(olds.delete, news.delete);
    return { changes, replaces, deleteBeforeReplace: true };
  },
  async update(_id, olds, news) {
    return { outs: { ...news, stdout: olds.stdout } };
  },
  async delete(_id, props) {
    if (props.delete !== undefined && props.delete.length > 0) runArgv(props.delete, props.dir);
  },
};

export class LocalStage extends pulumi.dynamic.Resource {
  declare readonly stdout: pulumi.Output<string>;

  constructor(name: string, args: StageArgs, opts?: pulumi.CustomResourceOptions) {
    super(localStageProvider, name, { ...args, stdout: undefined }, opts, 'rehearsal', 'LocalStage');
  }
}
