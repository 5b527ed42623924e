/**
 * Deterministic names of the resources other parts must know before they exist: the RDS instance
 * (the host's plan names its endpoint), the host roles (endpoint and key policies name them) and
 * the snapshot copy. Derived from the stack name, so each release candidate's stack has its own
 * and a re-run of the same stack finds the same ones.
 */
import { createHash } from 'node:crypto';

const MAX_PREFIX = 40;

function shortDigest(text: string, length = 8): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/**
 * `rehearsal-<stack>` in the alphabet RDS, IAM and S3 all accept: lowercase letters, digits and
 * single hyphens, starting with a letter, no trailing hyphen. A long or rewritten stack name keeps
 * a digest of the original so two stacks never share a prefix.
 */
export function stackPrefix(stack: string): string {
  const slug = stack
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const plain = `rehearsal-${slug}`.replace(/-+$/, '');
  if (plain.length <= MAX_PREFIX && slug === stack) return plain;
  return `${plain.slice(0, MAX_PREFIX - 9).replace(/-+$/, '')}-${shortDigest(stack)}`;
}

export function databaseIdentifier(stack: string): string {
  return `${stackPrefix(stack)}-db`;
}

export function hostRoleName(stack: string, role: 'rehearsal-host' | 'app-host'): string {
  return `${stackPrefix(stack)}-${role}`;
}

/**
 * One snapshot copy per source snapshot: a new production snapshot gets a new copy name, so the
 * replacement copy never collides with the old one (`DBSnapshotAlreadyExists`).
 */
export function snapshotCopyIdentifier(stack: string, sourceArn: string, sourceCreateTime: string): string {
  return `${stackPrefix(stack)}-source-${shortDigest(`${sourceArn}@${sourceCreateTime}`, 12)}`;
}
