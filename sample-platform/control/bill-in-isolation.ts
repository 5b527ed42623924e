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

/** How long a bill run may go without billing another account before it is taken as stuck. */
export const DEFAULT_STALL_TIMEOUT_MS = 120_000;

/**
 * Polls `status` while the run is `running`. A run that keeps billing is waited for however long it
 * takes (a million accounts take ten minutes or more on a shared machine); one that bills no further
 * account for `stallTimeoutMs` is given up on, and `stalledMs` says so.
 */
export async function awaitBillRun(
  status: () => Promise<ControlResponse>,
  options: { readonly stallTimeoutMs: number; readonly pollMs?: number; readonly onProgress?: (processed: number, total: number) => void },
): Promise<{ readonly status: ControlResponse; readonly stalledMs?: number }> {
  let current = await status();
  let processed = Number(current.processed);
  let progressedAt = Date.now();
  while (current.state === 'running') {
    options.onProgress?.(Number(current.processed), Number(current.total));
    if (Date.now() - progressedAt >= options.stallTimeoutMs) return { status: current, stalledMs: Date.now() - progressedAt };
    await sleep(options.pollMs ?? 200);
    current = await status();
    if (Number(current.processed) !== processed) {
      processed = Number(current.processed);
      progressedAt = Date.now();
    }
  }
  return { status: current };
}

/**
 * Bills a database the way an operator drives the platform: start the service in its own network
 * namespace, configure, start, wait for the run to end, stop the service, wait for it to exit.
 */
export async function billInIsolation(
  options: IsolatedServiceOptions & {
    readonly settings: BillRunSettings;
    /** Default DEFAULT_STALL_TIMEOUT_MS. */
    readonly stallTimeoutMs?: number;
    readonly onProgress?: (processed: number, total: number) => void;
  },
): Promise<IsolatedBillRunResult> {
  const { service, client } = await IsolatedService.start(options);
  try {
    expectOk('configure', await client.request({ command: 'configure', ...options.settings }));
    const started = expectOk('start', await client.request({ command: 'start' }));
    const { status, stalledMs } = await awaitBillRun(async () => expectOk('status', await client.request({ command: 'status' })), {
      stallTimeoutMs: options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    expectOk('stop', await client.request({ command: 'stop' }));
    client.close();
    const exit = await service.exited;
    return {
      state: String(status.state),
      billRunId: Number(started.billRunId),
      processed: Number(status.processed),
      total: Number(status.total),
      ...(stalledMs !== undefined
        ? { error: `no further account was billed for ${Math.round(stalledMs / 1000)} s, so the run was stopped` }
        : typeof status.error === 'string'
          ? { error: status.error }
          : {}),
      exit,
    };
  } finally {
    client.close();
    await service.kill();
  }
}
