import type { LedgerEntry, LedgerSummary } from './ledger.js';

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function describe(entry: LedgerEntry): string {
  switch (entry.kind) {
    case 'mail':
      return `to ${entry.to.join(', ')}: "${entry.subject}" (${entry.sizeBytes} bytes)`;
    case 'payment':
      return `${entry.method} ${entry.path}${entry.amountCents === undefined ? '' : ` ${(entry.amountCents / 100).toFixed(2)}${entry.currency ? ` ${entry.currency}` : ''}`}` +
        `${entry.invoice ? ` ${entry.invoice}` : ''}${entry.last4 ? ` card …${entry.last4}` : ''}: ${entry.approved ? 'approved' : 'declined'}`;
    case 'provisioning':
      return `${entry.service}: ${entry.firstBytes.text.slice(0, 80)}`;
    case 'tls':
      return entry.serverName ? `TLS for ${entry.serverName}${entry.terminated ? '' : ' (not terminated)'}` : 'TLS without a server name';
  }
}

/**
 * The egress ledger section of report.md: counts per kind, per destination and per account, then
 * the first `limit` attempts. What the platform tried to reach during the bill run, all of it caught.
 */
export function ledgerMarkdown(summary: LedgerSummary, entries: readonly LedgerEntry[], limit = 50): string {
  const lines = [
    `The platform made ${summary.total} outbound attempt(s) during the bill run; every one landed in a sinkhole.`,
    '',
    '| kind | attempts |',
    '|---|---|',
    ...Object.entries(summary.byKind).map(([kind, count]) => `| ${kind} | ${count} |`),
    '',
    '| kind | destination | attempts |',
    '|---|---|---|',
    ...summary.byDestination.map((d) => `| ${d.kind} | ${cell(d.destination)} | ${d.count} |`),
    '',
    `Attributed to ${summary.attributedAccounts} account(s); ${summary.unattributed} attempt(s) name no account.`,
  ];
  if (entries.length > 0) {
    lines.push('', '| time | kind | destination | account | what |', '|---|---|---|---|---|');
    for (const e of entries.slice(0, limit)) {
      lines.push(`| ${e.time} | ${e.kind} | ${cell(`${e.destination.host}:${e.destination.port}`)} | ${e.account ?? ''} | ${cell(describe(e))} |`);
    }
    if (entries.length > limit) lines.push('', `… and ${entries.length - limit} more in report.json.`);
  }
  return lines.join('\n');
}
