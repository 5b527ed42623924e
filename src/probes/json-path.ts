/**
 * The small JSON path a probe's expectations use: `$`, then `.name`, `['name']` or `[index]`
 * steps. Enough to point at one value in an API's answer; no wildcards or filters, so a path
 * always names at most one value and a typo is caught when the plan is read.
 */
export type JsonPathStep = string | number;

export class JsonPathError extends Error {
  constructor(
    readonly offset: number,
    detail: string,
  ) {
    super(detail);
    this.name = 'JsonPathError';
  }
}

const NAME = /^[A-Za-z_$][\w$-]*/;

export function parseJsonPath(path: string): JsonPathStep[] {
  if (!path.startsWith('$')) throw new JsonPathError(0, 'a JSON path starts with `$`, e.g. `$.account.balance`');
  const steps: JsonPathStep[] = [];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      const name = NAME.exec(path.slice(i + 1))?.[0];
      if (name === undefined) throw new JsonPathError(i + 1, `expected a field name after \`.\` at character ${i + 2} of \`${path}\``);
      steps.push(name);
      i += 1 + name.length;
    } else if (c === '[') {
      const close = path.indexOf(']', i);
      if (close < 0) throw new JsonPathError(i, `\`[\` at character ${i + 1} of \`${path}\` is never closed`);
      const inner = path.slice(i + 1, close);
      if (/^\d{1,9}$/.test(inner)) steps.push(Number(inner));
      else if (/^'[^']*'$/.test(inner)) steps.push(inner.slice(1, -1));
      else throw new JsonPathError(i + 1, `\`[${inner}]\` in \`${path}\` is neither an index nor a quoted name ('name'); wildcards and filters are not supported`);
      i = close + 1;
    } else {
      throw new JsonPathError(i, `unexpected \`${c}\` at character ${i + 1} of \`${path}\`; steps are \`.name\`, \`['name']\` or \`[index]\``);
    }
  }
  return steps;
}

/** The value at `steps`, or `found: false` when a step is missing. */
export function valueAt(document: unknown, steps: readonly JsonPathStep[]): { found: boolean; value?: unknown } {
  let current: unknown = document;
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(current) || step >= current.length) return { found: false };
      current = current[step] as unknown;
    } else {
      if (current === null || typeof current !== 'object' || Array.isArray(current) || !Object.hasOwn(current, step)) return { found: false };
      current = (current as Record<string, unknown>)[step];
    }
  }
  return { found: true, value: current };
}
