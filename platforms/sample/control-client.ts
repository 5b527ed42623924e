import { UserError } from '../../src/errors.js';
import { requestOnce } from '../../src/runtime/json-line-socket.js';

export type ControlResponse = { ok: true; [key: string]: unknown } | { ok: false; error: string };

/** Sends one JSON command over the billing service's control socket and reads its one-line answer. */
export async function sendControlCommand(socketPath: string, command: Record<string, unknown>, timeoutMs = 10_000): Promise<ControlResponse> {
  return (await requestOnce(socketPath, command, {
    peer: 'the billing service',
    timeoutMs,
    timedOut: () => new UserError(`The billing service did not answer \`${String(command.command)}\` within ${timeoutMs / 1000} s (socket ${socketPath}).`),
  })) as ControlResponse;
}
