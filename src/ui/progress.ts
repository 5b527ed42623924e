/**
 * What a person sees while a run goes on. Stage lines with durations, details with --verbose,
 * nothing but the final JSON with --json; a live status line (elapsed time, counts, rate) only
 * on a terminal, so logs and CI output stay quiet and readable.
 */
export interface Progress {
  stage(name: string): void;
  stageDone(name: string, status: string, durationMs: number, detail?: string): void;
  /** Counts within a long step; shown live on a terminal and summed up in the stage's final line. */
  tick(label: string, done: number, total?: number): void;
  info(message: string): void;
  detail(message: string): void;
  /** Why something failed: printed even with --json (on stderr, which machines do not parse). */
  error(message: string): void;
  /** The table of every stage at the end of a run. */
  summary(rows: readonly SummaryRow[]): void;
}

export interface SummaryRow {
  readonly name: string;
  readonly status: string;
  readonly durationMs: number;
  readonly detail?: string;
}

export interface ProgressOptions {
  readonly verbose: boolean;
  readonly json: boolean;
  readonly stream?: NodeJS.WriteStream;
  /** Redraw interval of the live line; only used on a terminal. */
  readonly refreshMs?: number;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Counts of one label within a stage and how fast they grew. */
interface Counter {
  readonly label: string;
  readonly firstAt: number;
  readonly firstDone: number;
  done: number;
  total?: number;
  at: number;
}

function rate(counter: Counter): number | undefined {
  const seconds = (counter.at - counter.firstAt) / 1000;
  return seconds >= 0.2 && counter.done > counter.firstDone ? (counter.done - counter.firstDone) / seconds : undefined;
}

function describeCounter(counter: Counter): string {
  const total = counter.total !== undefined ? `/${formatCount(counter.total)} (${Math.floor((counter.done / counter.total) * 100)}%)` : '';
  const perSecond = rate(counter);
  return `${formatCount(counter.done)}${total} ${counter.label}${perSecond !== undefined ? `, ${formatCount(Math.round(perSecond))}/s` : ''}`;
}

const STATUS_MARK: Record<string, string> = { passed: '✔', skipped: '·', reused: '↺' };

export function renderSummaryTable(rows: readonly SummaryRow[]): string {
  const header = ['stage', 'status', 'duration', 'detail'];
  const cells = rows.map((r) => [r.name, r.status, formatDuration(r.durationMs), r.detail ?? '']);
  const widths = [0, 1, 2].map((i) => Math.max(header[i]!.length, ...cells.map((c) => c[i]!.length)));
  const format = (c: readonly string[]): string =>
    `  ${c[0]!.padEnd(widths[0]!)}  ${c[1]!.padEnd(widths[1]!)}  ${c[2]!.padStart(widths[2]!)}  ${c[3]!}`.trimEnd();
  const total = rows.reduce((sum, r) => sum + r.durationMs, 0);
  return [format(header), format(header.map((h, i) => '─'.repeat(i < 3 ? widths[i]! : h.length))), ...cells.map(format), `  total ${formatDuration(total)}`].join('\n');
}

export function createProgress(options: ProgressOptions): Progress {
  const out = options.stream ?? process.stderr;
  const live = out.isTTY === true && !options.json;
  const silent = options.json;
  let current: { name: string; started: number; counters: Map<string, Counter> } | undefined;
  /** What was counted in each finished stage, for the summary table. */
  const countedByStage = new Map<string, string>();
  let liveShown = false;
  let timer: NodeJS.Timeout | undefined;

  const clearLive = (): void => {
    if (liveShown) {
      out.write('\r\x1b[K');
      liveShown = false;
    }
  };
  const drawLive = (): void => {
    if (!live || current === undefined) return;
    const counters = [...current.counters.values()].map(describeCounter);
    const text = `  … ${current.name} ${formatDuration(Date.now() - current.started)}${counters.length > 0 ? ` · ${counters.join(' · ')}` : ''}`;
    const width = out.columns ?? 120;
    out.write(`\r\x1b[K${text.length > width - 1 ? text.slice(0, width - 1) : text}`);
    liveShown = true;
  };
  const line = (text: string): void => {
    if (silent) return;
    clearLive();
    out.write(`${text}\n`);
  };
  const stopTimer = (): void => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };

  return {
    stage(name) {
      current = { name, started: Date.now(), counters: new Map() };
      line(`▶ ${name}`);
      if (live) {
        stopTimer();
        timer = setInterval(drawLive, options.refreshMs ?? 250);
        // The live line must never keep a finished run alive.
        timer.unref();
        drawLive();
      }
    },
    stageDone(name, status, durationMs, detail) {
      stopTimer();
      const counted = current?.name === name ? [...current.counters.values()].map(describeCounter) : [];
      if (counted.length > 0) countedByStage.set(name, counted.join('; '));
      const parts = [detail, ...counted].filter((p): p is string => p !== undefined && p !== '');
      line(`  ${STATUS_MARK[status] ?? '✘'} ${name} ${status} in ${formatDuration(durationMs)}${parts.length > 0 ? ` (${parts.join('; ')})` : ''}`);
      if (current?.name === name) current = undefined;
    },
    tick(label, done, total) {
      if (current === undefined) return;
      const now = Date.now();
      const counter = current.counters.get(label);
      if (counter === undefined) {
        current.counters.set(label, { label, firstAt: now, firstDone: done, done, at: now, ...(total !== undefined ? { total } : {}) });
      } else {
        counter.done = done;
        counter.at = now;
        if (total !== undefined) counter.total = total;
      }
    },
    info(message) {
      line(`  ${message}`);
    },
    detail(message) {
      if (options.verbose) line(`    ${message}`);
    },
    error(message) {
      clearLive();
      out.write(`  ${message}\n`);
    },
    summary(rows) {
      stopTimer();
      const withCounts = rows.map((r) => {
        const counted = countedByStage.get(r.name);
        return counted === undefined || r.status !== 'passed' ? r : { ...r, detail: [r.detail, counted].filter(Boolean).join('; ') };
      });
      line(`\n${renderSummaryTable(withCounts)}`);
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
  summary() {},
};
