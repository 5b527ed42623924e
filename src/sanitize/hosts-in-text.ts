import { isIP } from 'node:net';
import escapeStringRegexp from 'escape-string-regexp';

/**
 * Host names inside text: under the plan's production domains anywhere, and the servers
 * connection strings name. The sanitize proof flags them; `prove` sinkholes the hosts the
 * sanitized settings' connection strings name.
 */

/**
 * Matches any host under one of `domains` (the domain itself included) in lower-cased text:
 * `billing-db01.northwind-telecom.example`, `ops@northwind-telecom.example`,
 * `https://portal.northwind-telecom.example/`. Not `northwind-telecom.example.com` or
 * `xnorthwind-telecom.example`, which are other domains. Undefined when there are no domains.
 */
export function productionDomainPattern(domains: readonly string[]): RegExp | undefined {
  const names = domains.map((d) => d.toLowerCase().replace(/\.$/, '')).filter((d) => d.length > 0);
  if (names.length === 0) return undefined;
  const alternatives = names.map(escapeStringRegexp).join('|');
  return new RegExp(`(?<![a-z0-9-])(?:${alternatives})(?![a-z0-9-]|\\.[a-z0-9])`);
}

/** `key=value` pairs that name a server in ADO.NET, ODBC, JDBC property, libpq and Npgsql connection strings. */
const SERVER_KEY = /(?:^|[;{"'\s])(?:server|data source|datasource|host|hostname|host name|addr|network address|server name|servername)\s*=\s*("[^"]*"|'[^']*'|[^;"'\s]+)/gi;
/** URLs with a user (`user@host`) or of a database, queue or file-transfer scheme are connection strings; a web link is not. */
const URL_WITH_HOST = /\b([a-z][a-z0-9+.-]*):\/\/(?:([^\s/@]+)@)?(\[[0-9a-f:.]+\]|[^\s/:;,?#'"@\\)]+)/gi;
const CONNECTION_SCHEMES = new Set([
  'sqlserver', 'mssql', 'postgres', 'postgresql', 'mysql', 'mariadb', 'oracle', 'db2', 'mongodb', 'mongodb+srv',
  'redis', 'rediss', 'amqp', 'amqps', 'odbc', 'tds', 'ftp', 'ftps', 'sftp', 'ssh', 'smb', 'ldap', 'ldaps',
]);

/** Whether `text` could hold a connection string at all (the proof's cheap test before the patterns). */
export function mayHoldConnectionString(text: string): boolean {
  return text.includes('=') || text.includes('://');
}

/**
 * The remote hosts (lower case, no port or instance) that connection strings in `text` name:
 * `Server=`, `Data Source=`, `Host=` and the like, database URLs and URLs with a user. Loopback
 * and local names (`localhost`, `127.0.0.1`, `(local)`, `.`) are left out: they reach nothing.
 */
export function connectionStringHosts(text: string): string[] {
  const hosts = new Set<string>();
  for (const m of text.matchAll(SERVER_KEY)) {
    for (const part of (m[1] ?? '').replace(/^["']|["']$/g, '').split(',')) {
      const host = serverHost(part);
      if (host !== undefined) hosts.add(host);
    }
  }
  for (const m of text.matchAll(URL_WITH_HOST)) {
    const scheme = (m[1] ?? '').toLowerCase();
    if (m[2] === undefined && !CONNECTION_SCHEMES.has(scheme)) continue;
    const host = serverHost(m[3] ?? '');
    if (host !== undefined) hosts.add(host);
  }
  return [...hosts];
}

/** `tcp:host\instance,1433`, `host:5432`, `[2001:db8::1]` → the host; undefined for local names, ports and non-hosts. */
function serverHost(raw: string): string | undefined {
  let text = raw.trim().replace(/^(?:tcp|np|lpc|admin):/i, '');
  if (/^\d+$/.test(text)) return undefined;
  text = text.split('\\')[0] ?? '';
  const bracketed = /^\[([^\]]+)\]/.exec(text);
  if (bracketed !== null) text = bracketed[1] ?? '';
  else if (isIP(text) === 0) text = text.replace(/:\d*$/, '');
  text = text.replace(/\.$/, '').toLowerCase();
  if (isLocal(text)) return undefined;
  return isIP(text) !== 0 || /^[a-z0-9_]([a-z0-9_-]*[a-z0-9])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9])?)*$/.test(text) ? text : undefined;
}

function isLocal(host: string): boolean {
  return host === '' || host === '.' || host === '(local)' || host === '(localdb)' || host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\./.test(host);
}

/** Whether `host` is `domain` or under it. */
export function isUnderDomain(host: string, domain: string): boolean {
  const d = domain.toLowerCase();
  return host === d || host.endsWith(`.${d}`);
}
