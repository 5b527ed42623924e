/**
 * How an isolation probe tells our sinkhole from anything else: it sends this line and only a
 * sinkhole of this run answers with the run's nonce. SMTP speaks first, so there the nonce is in
 * the greeting. Probe traffic is never written to the ledger.
 */
export const PROBE_LINE = 'REHEARSAL-PROBE\r\n';

export function sinkholeAnswer(nonce: string): string {
  return `REHEARSAL-SINKHOLE ${nonce}\r\n`;
}

export function isProbe(data: Buffer): boolean {
  return data.toString('latin1').startsWith(PROBE_LINE.trimEnd());
}
