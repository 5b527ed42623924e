import type { HttpProbe } from './types.js';
import type { ProbeFinding, ProbeRunContext } from './context.js';
import { checkJson } from './expectations.js';
import { cap, maskBody, maskHeaders } from './mask.js';
import { fill } from './templates.js';

const REQUEST_MS = 15_000;

/** Sends the request from inside the sandbox to the adapter's service and checks status, JSON paths and text. */
export async function runHttpProbe(probe: HttpProbe, ctx: ProbeRunContext): Promise<ProbeFinding> {
  const base = await ctx.services.url(probe.service);
  const path = fill(probe.path, ctx.variables, encodeURIComponent);
  const headers = Object.fromEntries(Object.entries(probe.headers).map(([k, v]) => [k, fill(v, ctx.variables)]));
  const body = probe.body === undefined ? undefined : fill(probe.body, ctx.variables, (v) => JSON.stringify(v).slice(1, -1));
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  const request = { request: `${probe.method} ${path}`, headers: maskHeaders(headers), body: maskBody(body) };
  const answer = await ctx.agent.send({ method: probe.method, url: `${base}${path}`, headers, ...(body !== undefined ? { body } : {}), timeoutMs: REQUEST_MS });
  if (answer.error !== undefined) return { outcome: 'error', summary: `${probe.method} ${path} got no answer from ${probe.service}: ${answer.error}`, evidence: [request] };
  const response = { response: `${answer.status} (${answer.ms} ms)`, body: maskBody(answer.body) };
  const results = [];
  if (probe.expect.status !== undefined) results.push({ expected: `status ${probe.expect.status}`, actual: `status ${answer.status}`, met: answer.status === probe.expect.status });
  if (probe.expect.json.length > 0) {
    let document: unknown;
    try {
      document = JSON.parse(answer.body) as unknown;
      results.push(...checkJson(document, probe.expect.json, ctx.variables));
    } catch {
      results.push({ expected: 'a JSON answer', actual: `${answer.contentType || 'no content type'}, ${answer.body.length} chars that are not JSON`, met: false });
    }
  }
  if (probe.expect.text !== undefined) {
    const text = fill(probe.expect.text, ctx.variables);
    results.push({ expected: `text contains ${cap(JSON.stringify(text))}`, actual: answer.body.includes(text) ? 'found' : 'not found', met: answer.body.includes(text) });
  }
  const unmet = results.filter((r) => !r.met);
  return {
    outcome: unmet.length === 0 ? 'passed' : 'failed',
    summary: unmet.length === 0 ? `${probe.method} ${path}: ${answer.status}, ${results.length} expectation(s) met` : `${probe.method} ${path}: ${unmet.map((r) => `expected ${r.expected}, got ${r.actual}`).join('; ')}`,
    evidence: [request, response, ...results.map((r) => ({ expected: r.expected, actual: r.actual, met: r.met }))],
  };
}
