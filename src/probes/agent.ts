import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { typescriptCommand } from '../runtime/typescript-process.js';

export interface AgentRequest {
  readonly id: number;
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
}

export type AgentResponse =
  | { readonly id: number; readonly status: number; readonly contentType: string; readonly body: string; readonly ms: number; readonly error?: undefined }
  | { readonly id: number; readonly error: string; readonly ms: number; readonly status?: undefined };

const AGENT = fileURLToPath(new URL('./agent-main.ts', import.meta.url));

/** One HTTP client process inside the sandbox for all of a run's probes; requests go one at a time. */
export class SandboxHttpAgent {
  private next = 1;
  private readonly lines: Interface;
  private readonly waiting = new Map<number, (response: AgentResponse) => void>();
  private exited = false;

  private constructor(private readonly child: ChildProcessByStdio<Writable, Readable, null>) {
    this.lines = createInterface({ input: child.stdout });
    this.lines.on('line', (line) => {
      const response = JSON.parse(line) as AgentResponse;
      this.waiting.get(response.id)?.(response);
      this.waiting.delete(response.id);
    });
    child.once('exit', () => {
      this.exited = true;
      for (const [id, resolve] of this.waiting) resolve({ id, error: 'the probes\' HTTP client inside the sandbox exited', ms: 0 });
      this.waiting.clear();
    });
  }

  static start(execPrefix: readonly string[], env: Readonly<Record<string, string>>): SandboxHttpAgent {
    const agent = typescriptCommand(AGENT, [], env);
    const [program = 'ip', ...prefix] = execPrefix;
    const child = spawn(program, [...prefix, agent.command, ...agent.args], { stdio: ['pipe', 'pipe', 'ignore'], env: agent.env });
    return new SandboxHttpAgent(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(request: Omit<AgentRequest, 'id'>): Promise<AgentResponse> {
    const id = this.next++;
    if (this.exited) return Promise.resolve({ id, error: 'the probes\' HTTP client inside the sandbox is not running', ms: 0 });
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.stdin.write(`${JSON.stringify({ ...request, id })}\n`);
    });
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
