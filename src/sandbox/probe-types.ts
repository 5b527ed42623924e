export interface Probe {
  readonly protocol: 'tcp' | 'udp';
  /** Host name (resolved inside the sandbox, as the platform would) or address. */
  readonly host: string;
  readonly port: number;
  /** Why it is probed, e.g. `Stripe production`, `documentation address`. */
  readonly why: string;
}

export type ProbeOutcome = 'unreachable' | 'sinkhole' | 'leak';

export interface ProbeResult extends Probe {
  /** What the name resolved to inside the sandbox. */
  readonly address?: string;
  readonly outcome: ProbeOutcome;
  readonly detail: string;
  readonly ms: number;
}

/** What probes.ts sends to the probe runner inside the sandbox. */
export interface ProbeRequest {
  readonly nonce: string;
  /** Addresses local to the sandbox besides loopback (the plan's switch addresses and CIDRs). */
  readonly localRanges: readonly string[];
  readonly probes: readonly Probe[];
}
