/**
 * How an isolation probe tells our sinkhole from anything else: it sends this line and only a
 * sinkhole of this run answers with the run's nonce. SMTP speaks first, so there the nonce is in
 * the greeting. Probe traffic is never written to the ledger.
 */
export const PROBE_LINE = 'REHEARSAL-PROBE\r\n';

export function sinkholeAnswer(nonce: string): string {
  return `REHEARSAL-SINKHOLE ${nonce}\r\n`;
}

const PROBE_MARK = PROBE_LINE.trimEnd();

/** Looks at the first bytes only: it runs on every chunk a TLS or switch client sends first. */
export function isProbe(data: Buffer): boolean {
  return data.length >= PROBE_MARK.length && data.toString('latin1', 0, PROBE_MARK.length) === PROBE_MARK;
}
