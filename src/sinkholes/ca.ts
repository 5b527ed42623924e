import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { $ } from 'zx';
import { UserError } from '../errors.js';
import { childEnvironment } from '../runtime/child-environment.js';

/** Runs openssl; rejects with its first line of stderr. SHLVL=1 keeps zx's bash from reading ~/.bashrc. */
async function openssl(args: readonly string[]): Promise<void> {
  const result = await $({ nothrow: true, quiet: true, timeout: '30s', env: childEnvironment({ SHLVL: '1' }) })`openssl ${[...args]}`;
  if (result.exitCode !== 0) {
    throw new Error(result.stderr.trim().split('\n')[0] || (result.signal !== null ? `killed by ${result.signal} after 30 s` : `exit ${result.exitCode}`));
  }
}

export interface RunCa {
  readonly dir: string;
  /** What the platform under test must trust (e.g. NODE_EXTRA_CA_CERTS for a Node platform). */
  readonly caCertPath: string;
  readonly serverCertPath: string;
  readonly serverKeyPath: string;
}

export function runCaPaths(dir: string): RunCa {
  return {
    dir,
    caCertPath: join(dir, 'ca.crt'),
    serverCertPath: join(dir, 'server.crt'),
    serverKeyPath: join(dir, 'server.key'),
  };
}

/**
 * A CA that lives for one run, made with the openssl CLI, and one server certificate naming
 * every sinkholed host. The CA key is deleted once the server certificate is signed, so the
 * trust the platform gives this CA cannot be used for anything else.
 */
export async function createRunCa(dir: string, runId: string, names: readonly string[]): Promise<RunCa> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const paths = runCaPaths(dir);
  const caKey = join(dir, 'ca.key');
  const csr = join(dir, 'server.csr');
  const extensions = join(dir, 'server.ext');
  const subjectAltNames = [...new Set(names)].map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`));
  writeFileSync(
    extensions,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=${subjectAltNames.join(',')}`,
    ].join('\n'),
  );
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    await openssl([
      'req', '-x509', ...ec, '-keyout', caKey, '-out', paths.caCertPath, '-days', '2',
      '-subj', `/CN=Rehearsal run ${runId.slice(0, 40)} sinkhole CA`,
      '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    await openssl(['req', ...ec, '-keyout', paths.serverKeyPath, '-out', csr, '-subj', '/CN=rehearsal-sinkhole']);
    await openssl([
      'x509', '-req', '-in', csr, '-CA', paths.caCertPath, '-CAkey', caKey, '-set_serial', `0x${Date.now().toString(16)}`,
      '-days', '2', '-extfile', extensions, '-out', paths.serverCertPath,
    ]);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UserError(
      `Cannot make the per-run CA for the payment sinkhole in ${dir} (${reason}). ` +
        'The local sandbox needs the openssl command (apt-get install openssl).',
    );
  } finally {
    rmSync(caKey, { force: true });
    rmSync(csr, { force: true });
    rmSync(extensions, { force: true });
  }
  return paths;
}
