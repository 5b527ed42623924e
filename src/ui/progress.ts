/**
 * What a person sees while a run goes on. Quiet by default (stage lines only), details with
 * --verbose, nothing but the final JSON with --json; live counters only on a terminal.
 */
export interface Progress {
  stage(name: string): void;
  stageDone(name: string, status: string, durationMs: number, detail?: string): void;
  /** Counts within a long step; printed at most every 500 ms on a terminal. */
  tick(label: string, done: number, total?: number): void;
  info(message: string): void;
  detail(message: string): void;
  /** Why something failed: printed even with --json (on stderr, which machines do not parse). */
  error(message: string): void;
}

export interface ProgressOptions {
  readonly verbose: boolean;
  readonly json: boolean;
  readonly stream?: NodeJS.WriteStream;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export function createProgress(options: ProgressOptions): Progress {
  const out = options.stream ?? process.stderr;
  const live = out.isTTY === true && !options.json;
  const silent = options.json;
  let lastTick = 0;
  let tickShown = false;
  const started = new Map<string, number>();
  const clearTick = (): void => {
    if (tickShown) {
      out.write('\r\x1b[K');
      tickShown = false;
    }
  };
  const line = (text: string): void => {
    if (silent) return;
    clearTick();
    out.write(`${text}\n`);
  };
  return {
    stage(name) {
      started.set(name, Date.now());
      line(`▶ ${name}`);
    },
    stageDone(name, status, durationMs, detail) {
      line(`  ${status === 'passed' ? '✔' : status === 'skipped' ? '·' : '✘'} ${name} ${status} in ${formatDuration(durationMs)}${detail ? ` (${detail})` : ''}`);
    },
    tick(label, done, total) {
      if (!live) return;
      const now = Date.now();
      if (now - lastTick < 500 && (total === undefined || done < total)) return;
      lastTick = now;
      const pct = total ? ` ${Math.floor((done / total) * 100)}%` : '';
      out.write(`\r\x1b[K  ${label}: ${done.toLocaleString('en-US')}${total ? `/${total.toLocaleString('en-US')}` : ''}${pct}`);
      tickShown = true;
    },
    info(message) {
      line(`  ${message}`);
    },
    detail(message) {
      if (options.verbose) line(`    ${message}`);
    },
    error(message) {
      clearTick();
      out.write(`  ${message}\n`);
    },
  };
}

/** For tests and library use: records nothing, prints nothing. */
export const silentProgress: Progress = {
  stage() {},
  stageDone() {},
  tick() {},
  info() {},
  detail() {},
  error() {},
};
