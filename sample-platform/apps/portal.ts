/**
 * The sample platform's customer portal / API, a stand-in for the web portals that integrate
 * with a billing platform: account summary (name, last bill date, balance), sign-up (account,
 * contact and package), contact update, tickets (create, edit). Listens on `--port` (default
 * 8080) on loopback inside the sandbox; `GET /` answers when it is ready.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { appOptions, runApp } from './options.js';
import { PortalStore } from './portal-store.js';

const MAX_BODY = 64 * 1024;

await runApp(async () => {
  const portIndex = process.argv.indexOf('--port');
  const port = portIndex > 0 ? Number(process.argv[portIndex + 1]) : 8080;
  const store = new PortalStore(appOptions());
  const server = createServer((req, res) => {
    handle(store, req, res).catch((error: unknown) => send(res, 500, { error: (error as Error).message }));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const stop = (): void => {
    server.close();
    store.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
});

async function handle(store: PortalStore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://portal');
  const parts = url.pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  const method = req.method ?? 'GET';
  if (parts.length === 0) return send(res, 200, { service: 'sample portal' });
  if (parts[0] !== 'api') return send(res, 404, { error: 'not found' });
  const [, resource, id, sub] = parts;
  if (resource === 'accounts' && id !== undefined && sub === 'summary' && method === 'GET') return reply(res, store.summary(id));
  if (resource === 'accounts' && id !== undefined && sub === 'contact' && method === 'GET') return reply(res, store.contact(id));
  if (resource === 'accounts' && id !== undefined && sub === 'contact' && method === 'PUT') return reply(res, store.updateContact(id, await body(req)));
  if (resource === 'accounts' && id !== undefined && sub === 'tickets' && parts[4] === 'latest' && method === 'PATCH') return reply(res, store.editLatestTicket(id, await body(req)));
  if (resource === 'signup' && method === 'POST') return reply(res, store.signUp(await body(req)), 201);
  if (resource === 'tickets' && id === undefined && method === 'POST') return reply(res, store.createTicket(await body(req)), 201);
  if (resource === 'tickets' && id !== undefined && method === 'PATCH') return reply(res, store.editTicket(Number(id), await body(req)));
  if (resource === 'tickets' && id !== undefined && method === 'GET') return reply(res, store.ticket(Number(id)));
  return send(res, 404, { error: 'not found' });
}

function reply(res: ServerResponse, result: { status?: number; body: unknown } | undefined, ok = 200): void {
  if (result === undefined) return send(res, 404, { error: 'not found' });
  send(res, result.status ?? ok, result.body);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) {
    text += (chunk as Buffer).toString('utf8');
    if (text.length > MAX_BODY) throw new Error('request body too large');
  }
  const parsed = JSON.parse(text === '' ? '{}' : text) as unknown;
  return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
}
