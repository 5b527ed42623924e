/**
 * Probes: what a checklist item runs after the bill run, in the same sandbox and against the
 * same copy, so an item on the critical functionality list is checked by a machine instead of
 * staying "to confirm". Each kind is written in the plan as an object with exactly one of
 * `http`, `sql`, `command` or `job`, and an `expect` block.
 */

/** One expectation on a JSON document: the value at `path` (`$.a.b[0]`) equals, matches or exists. */
export interface JsonExpectation {
  readonly path: string;
  readonly equals?: string | number | boolean | null;
  readonly matches?: string;
  readonly exists?: boolean;
}

export interface HttpProbe {
  readonly kind: 'http';
  /** The adapter's service that answers (its `url`), started for the probes and stopped after. */
  readonly service: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query, with `{{variables}}`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The request body with `{{variables}}`, inline or read from `bodyFile` (absolute) at load. */
  readonly body?: string;
  readonly expect: { readonly status?: number; readonly json: readonly JsonExpectation[]; readonly text?: string };
}

export interface SqlProbe {
  readonly kind: 'sql';
  /** One SELECT; `:account` and `:billDate` are bound as parameters, never spliced. */
  readonly query: string;
  readonly expect: { readonly rows?: number; readonly minRows?: number; readonly values?: Readonly<Record<string, string | number | boolean | null>> };
}

export interface CommandProbe {
  readonly kind: 'command';
  /** A shell command run inside the sandbox namespace; the probe's file is `$REHEARSAL_PROBE_FILE`. */
  readonly run: string;
  readonly file?: string;
  readonly timeoutSeconds: number;
  /** Exit 0 passes; with `json`, the last line of its output must be JSON meeting these. */
  readonly expect: { readonly json: readonly JsonExpectation[] };
}

export type LedgerKind = 'mail' | 'payment' | 'provisioning';

export interface JobProbe {
  readonly kind: 'job';
  /** One of the adapter's other services, run for `seconds` and then stopped. */
  readonly service: string;
  readonly seconds: number;
  /** What the sinkholes must have caught from it, per kind. */
  readonly expect: { readonly ledger: readonly LedgerExpectation[] };
}

/** Attempts of one kind while a job ran: at least `min`, at most `max`, and with `accounts` exactly those accounts. */
export interface LedgerExpectation {
  readonly kind: LedgerKind;
  readonly min?: number;
  readonly max?: number;
  /**
   * One SELECT on the billed copy, read just before the job starts: its first column holds one
   * account number per expected attempt. The attempts, attributed by the adapter's
   * `outbound.accountPatterns`, must be these rows as a multiset.
   */
  readonly accounts?: string;
}

export type ProbeSpec = HttpProbe | SqlProbe | CommandProbe | JobProbe;

/** A probe as the plan holds it: its spec, the scenario account its `{{account.*}}` values come from, and its check id. */
export interface ProbePlan {
  /** `checklist.<item>.<n>-<kind>`: the check this probe reports as. */
  readonly id: string;
  readonly title: string;
  readonly account?: string;
  readonly spec: ProbeSpec;
}

export type ProbeOutcome = 'passed' | 'failed' | 'error';

/** What one probe found: its outcome, and masked excerpts of what it sent and got. */
export interface ProbeResult {
  readonly id: string;
  readonly kind: ProbeSpec['kind'];
  readonly outcome: ProbeOutcome;
  readonly summary: string;
  readonly evidence: readonly Record<string, string | number | boolean | null>[];
  /** How long it took, service start included. */
  readonly ms: number;
}
