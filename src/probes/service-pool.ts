import { setTimeout as sleep } from 'node:timers/promises';
import type { PlatformAdapter } from '../platform/types.js';
import type { SandboxHttpAgent } from './agent.js';
import { RunningService, type ServiceRunOptions } from '../platform/service-run.js';

const READY_SECONDS = 30;

/** The services http probes talk to, started on first use and stopped when the probes end. */
export class ServicePool {
  private readonly running = new Map<string, RunningService>();
  private readonly ready = new Map<string, Promise<string>>();

  constructor(
    private readonly adapter: PlatformAdapter,
    private readonly options: ServiceRunOptions,
    private readonly agent: SandboxHttpAgent,
  ) {}

  /** The service's URL once it answers HTTP (any status), starting it if it is not running; one start however many ask at once. */
  url(name: string): Promise<string> {
    const ready = this.ready.get(name);
    if (ready !== undefined && this.running.get(name)?.running !== false) return ready;
    const starting = this.startAndWait(name);
    this.ready.set(name, starting);
    return starting;
  }

  private async startAndWait(name: string): Promise<string> {
    const service = this.adapter.services.find((s) => s.name === name);
    if (service?.url === undefined) throw new Error(`service ${name} has no url`);
    const started = RunningService.start(service, this.options);
    this.running.set(name, started);
    const deadline = Date.now() + READY_SECONDS * 1000;
    for (;;) {
      if (!started.running) throw new Error(`service ${name} exited with code ${started.exitCode} before it answered at ${service.url}: ${started.logTail()}`);
      const answer = await this.agent.send({ method: 'GET', url: `${service.url}/`, headers: {}, timeoutMs: 2000 });
      if (answer.error === undefined) return service.url;
      if (Date.now() > deadline) throw new Error(`service ${name} did not answer at ${service.url} within ${READY_SECONDS} s (${answer.error})`);
      await sleep(100);
    }
  }

  /** Runs a service for `seconds`, then stops it: what a job probe does. */
  async runFor(name: string, seconds: number): Promise<{ exitedEarly: boolean; exitCode: number | null; log: string }> {
    const service = this.adapter.services.find((s) => s.name === name);
    if (service === undefined) throw new Error(`unknown service ${name}`);
    await this.running.get(name)?.stop();
    this.ready.delete(name);
    const started = RunningService.start(service, this.options);
    const deadline = Date.now() + seconds * 1000;
    while (started.running && Date.now() < deadline) await sleep(50);
    const exitedEarly = !started.running;
    const exitCode = started.exitCode;
    await started.stop();
    return { exitedEarly, exitCode, log: started.logTail() };
  }

  async stopAll(): Promise<void> {
    await Promise.allSettled(this.ready.values());
    for (const service of this.running.values()) await service.stop();
    this.running.clear();
    this.ready.clear();
  }
}
