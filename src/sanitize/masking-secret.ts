import { randomBytes } from 'node:crypto';

/** The per-run masking key: from the plan's environment variable, else random (never logged or stored). */
export function maskingSecret(envName: string): Buffer {
  const fromEnv = process.env[envName];
  return fromEnv !== undefined && fromEnv.length > 0 ? Buffer.from(fromEnv, 'utf8') : randomBytes(32);
}
