import { setTimeout as sleep } from 'node:timers/promises';
import type { ControlResponse } from './client.js';
import { IsolatedService } from './isolated-service.js';
import type { IsolatedServiceOptions, ServiceExit } from './isolated-service.js';

export interface BillRunSettings {
  readonly billDate: string;
  readonly emailInvoices: boolean;
  readonly chargeAutoPay: boolean;
  readonly provision: boolean;
  /** Bill-run configuration items (name → value); the service's defaults for any left out. */
  readonly settings?: Readonly<Record<string, string>>;
}

export interface IsolatedBillRunResult {
  readonly state: string;
  readonly billRunId: number;
  readonly processed: number;
  readonly total: number;
  readonly error?: string;
  readonly exit: ServiceExit;
}

function expectOk(what: string, response: ControlResponse): ControlResponse {
  if (!response.ok) throw new Error(`the billing service refused "${what}": ${response.error ?? 'no reason given'}`);
  return response;
}

/**
 * Bills a database the way an operator drives the platform: start the service in its own network
 * namespace, configure, start, wait for the run to end, stop the service, wait for it to exit.
 */
export async function billInIsolation(
  options: IsolatedServiceOptions & {
    readonly settings: BillRunSettings;
    readonly timeoutMs?: number;
    readonly onProgress?: (processed: number, total: number) => void;
  },
): Promise<IsolatedBillRunResult> {
  const { service, client } = await IsolatedService.start(options);
  try {
    expectOk('configure', await client.request({ command: 'configure', ...options.settings }));
    const started = expectOk('start', await client.request({ command: 'start' }));
    const deadline = Date.now() + (options.timeoutMs ?? 600_000);
    let status = expectOk('status', await client.request({ command: 'status' }));
    while (status.state === 'running' && Date.now() < deadline) {
      options.onProgress?.(Number(status.processed), Number(status.total));
      await sleep(200);
      status = expectOk('status', await client.request({ command: 'status' }));
    }
    expectOk('stop', await client.request({ command: 'stop' }));
    client.close();
    const exit = await service.exited;
    return {
      state: String(status.state),
      billRunId: Number(started.billRunId),
      processed: Number(status.processed),
      total: Number(status.total),
      ...(typeof status.error === 'string' ? { error: status.error } : {}),
      exit,
    };
  } finally {
    client.close();
    await service.kill();
  }
}
