/**
 * What every child process may inherit: where programs are, how text is encoded and the time
 * zone, the temp folder, and where Node writes coverage when a test tool asks for it. Everything
 * else (the masking key, connection strings, cloud credentials) stays in this process: a child's
 * environment is readable in /proc/<pid>/environ.
 */
const INHERITED = ['PATH', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'NODE_V8_COVERAGE'] as const;

/** The inherited variables that are set, plus `extra` (what this child needs, named by its caller). */
export function childEnvironment(extra: Readonly<Record<string, string | undefined>> = {}, from: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of [...INHERITED.map((n) => [n, from[n]] as const), ...Object.entries(extra)]) {
    if (value !== undefined) env[name] = value;
  }
  return env;
}
