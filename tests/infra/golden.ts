import { stringify } from 'yaml';
import type { RegisteredResource } from './harness.js';

/** How the Pulumi runtime marks a secret value in serialized inputs. */
const SECRET_SIG = '4dabf18193072939515e22adb298388d';
const SECRET_MARK = '1b47061264138c4ac30d75fd1eb44270';

export function isSecret(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[SECRET_SIG] === SECRET_MARK;
}

function sortedKeys(value: unknown): unknown {
  if (isSecret(value)) return '[secret]';
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/**
 * A reviewer's listing of the environment: every resource with its type, name, parent component
 * and the inputs the program sets. Tags are left out (each one is the release candidate, checked
 * by the policy) and the project path is neutralised so the file is the same on every machine.
 */
export function goldenListing(resources: readonly RegisteredResource[], projectDir: string): string {
  const entries = [...resources]
    .sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name))
    .map((r) => {
      const { tags: _tags, ...inputs } = r.inputs;
      return { type: r.type, name: r.name, parent: r.parentTypes.at(-1) ?? null, inputs: sortedKeys(inputs) };
    });
  const text = stringify(entries, { lineWidth: 0 });
  return text.split(projectDir.replace(/\/$/, '')).join('<project>');
}
