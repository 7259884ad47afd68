/** A throwaway PKI for TLS tests, made with the openssl CLI (Debian's openssl package). */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const openssl = async (args: string[]) => {
  try {
    await run('openssl', args);
  } catch (e) {
    throw new Error(`openssl ${args[0]} failed (is the openssl package installed?): ${(e as Error).message}`, { cause: e });
  }
};

export interface TestCa {
  certFile: string;
  keyFile: string;
}

/** A self-signed CA valid for a day. */
export async function makeCa(dir: string, name: string): Promise<TestCa> {
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.pem`);
  await openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { certFile, keyFile };
}

/**
 * A leaf certificate signed by `ca`: a server cert for 127.0.0.1/::1/localhost, or a client cert.
 * `days` -1 makes one that expired a day ago (openssl's lowest).
 */
export async function issue(dir: string, ca: TestCa, name: string, kind: 'server' | 'client', sans = 'IP:127.0.0.1,IP:::1,DNS:localhost', days = 1): Promise<{ certFile: string; keyFile: string }> {
  const keyFile = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const certFile = join(dir, `${name}.pem`);
  const ext = join(dir, `${name}.ext`);
  await writeFile(ext, kind === 'server' ? `subjectAltName=${sans}\nextendedKeyUsage=serverAuth\n` : 'extendedKeyUsage=clientAuth\n');
  await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`, '-keyout', keyFile, '-out', csr]);
  await openssl(['x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial', '-days', String(days), '-extfile', ext, '-out', certFile]);
  return { certFile, keyFile };
}
