/**
 * A real ClamAV database container for tests: an unsigned `.cud` (the format `sigtool --build
 * --unsigned` writes) holding one MD5 signature of the EICAR test file, with a chosen version
 * and build time, so that the real clamd loads it and reports that version and date in its
 * VERSION reply. Layout: a 512-byte `ClamAV-VDB:` header (build time, version, signatures,
 * functionality level, MD5 of the archive, no digital signature, builder, build time in
 * seconds), then a tar.gz of COPYING, daily.info (the same header line + each file's size and
 * SHA-256) and daily.hdb. Built with Debian's tar; no network, no signing key.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');
/** `%d %b %Y %H-%M %z` in UTC, as sigtool prints it. */
const printed = (d: Date) => `${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}-${two(d.getUTCMinutes())} +0000`;

/** The bytes of `daily.cud` with this version, built at `built` (whole seconds). */
export function clamavDailyCud(version: number, built: Date, signatureName = 'Posture.Test.EICAR'): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'posture-cud-'));
  try {
    const stime = Math.floor(built.getTime() / 1000);
    const hdb = `${createHash('md5').update(EICAR).digest('hex')}:${EICAR.length}:${signatureName}\n`;
    writeFileSync(join(dir, 'daily.hdb'), hdb);
    writeFileSync(join(dir, 'COPYING'), 'test database written by the Posture tests\n');
    const sha = createHash('sha256').update(hdb).digest('hex');
    writeFileSync(join(dir, 'daily.info'), `ClamAV-VDB:${printed(built)}:${version}:1:90:X:X:posture:${stime}\ndaily.hdb:${hdb.length}:${sha}\n`);
    execFileSync('tar', ['czf', 'body.tgz', 'COPYING', 'daily.info', 'daily.hdb'], { cwd: dir });
    const body = readFileSync(join(dir, 'body.tgz'));
    const md5 = createHash('md5').update(body).digest('hex');
    const header = Buffer.from(`ClamAV-VDB:${printed(built)}:${version}:1:90:${md5}:X:posture:${stime}`.padEnd(512, ' '), 'latin1');
    return Buffer.concat([header, body]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
