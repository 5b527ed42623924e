/**
 * The probes' HTTP client, started inside the sandbox namespace (`ip netns exec`), so requests
 * resolve through the sandbox's hosts file, trust only its CA and leave by its routes alone.
 * Reads one JSON request per line on stdin, answers one JSON line per request on stdout.
 */
import { createInterface } from 'node:readline';
import type { AgentRequest, AgentResponse } from './agent.js';

const MAX_BODY_CHARS = 64 * 1024;

async function send(request: AgentRequest): Promise<AgentResponse> {
  const started = Date.now();
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    const body = await response.text();
    return { id: request.id, status: response.status, contentType: response.headers.get('content-type') ?? '', body: body.slice(0, MAX_BODY_CHARS), ms: Date.now() - started };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { id: request.id, error: cause?.code ?? cause?.message ?? (error as Error).message, ms: Date.now() - started };
  }
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() === '') continue;
  const answer = await send(JSON.parse(line) as AgentRequest);
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
