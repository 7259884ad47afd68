/**
 * ClamAV on Linux. Installed: clamd or clamscan present. Running: a clamd process.
 * Real-time: only clamonacc (on-access) scans files as they are opened; clamd alone is on-demand.
 * Signatures: the newest of the CVD/CLD headers (build time) in DatabaseDirectory; for plain
 * signature files (.hdb, .ndb, ...) the newest file's modification time.
 */
import type { ProtectionProduct } from '@posture/protocol';
import type { ProductContext } from '../product.js';
import { ageHours, product } from '../product.js';

const DB_EXT = /\.(cvd|cld|cud|hdb|hsb|ndb|ldb|mdb|msb|ign2|fp|sfp|yara|yar|cdb|idb|pdb|wdb|ftm|cfg|info)$/i;

/** `ClamAV-VDB:14 Nov 2023 08:53 -0500:27093:2044961:90:md5:dsig:builder:1699969980` */
export function parseCvdHeader(head: string): { version: string; built: Date } | null {
  if (!head.startsWith('ClamAV-VDB:')) return null;
  const parts = head.slice(0, 512).replace(/\0+$/, '').trimEnd().split(':');
  // The time field itself contains a colon (08:53), so fields are counted from the end.
  const stime = Number(parts[parts.length - 1]);
  const version = parts.length >= 10 ? parts[parts.length - 7] : undefined;
  if (!Number.isFinite(stime) || stime <= 0 || !version) return null;
  return { version, built: new Date(stime * 1000) };
}

function confValue(conf: string | null, key: string): string | null {
  if (!conf) return null;
  const m = conf.match(new RegExp(`^\\s*${key}\\s+(.+?)\\s*$`, 'm'));
  return m?.[1] ?? null;
}

export async function detectClamav(ctx: ProductContext): Promise<ProtectionProduct | null> {
  const { system, processes, now, maxAgeHours } = ctx;
  const binaries = ['/usr/sbin/clamd', '/usr/bin/clamscan', '/usr/local/sbin/clamd', '/usr/bin/clamdscan'];
  const present = (await Promise.all(binaries.map(async (b) => ((await system.stat(b)) ? b : null)))).filter(Boolean);
  const confPath = ['/etc/clamav/clamd.conf', '/etc/clamd.d/scan.conf', '/usr/local/etc/clamd.conf'];
  let conf: string | null = null;
  let confFile = '';
  for (const p of confPath) {
    conf = await system.readFile(p);
    if (conf !== null) {
      confFile = p;
      break;
    }
  }
  const clamdRunning = processes.has('clamd');
  if (!present.length && !clamdRunning) return null;

  const evidence: string[] = [];
  const unknown: ProtectionProduct['unknown'] = [];
  if (present.length) evidence.push(`binaries: ${present.join(', ')}`);
  evidence.push(clamdRunning ? 'process clamd running' : 'no clamd process');
  if (confFile) evidence.push(`config ${confFile}`);

  const onacc = processes.has('clamonacc');
  const onAccessConfigured = Boolean(confValue(conf, 'OnAccessIncludePath') ?? confValue(conf, 'OnAccessMountPath'));
  const realTime = clamdRunning && onacc;
  evidence.push(onacc ? 'process clamonacc running (on-access scanning)' : 'no clamonacc process: scanning is on demand only');
  if (!onacc && onAccessConfigured) evidence.push('OnAccess paths configured in clamd.conf but clamonacc is not running');

  const dbDir = confValue(conf, 'DatabaseDirectory') ?? '/var/lib/clamav';
  const files = ((await system.readDir(dbDir)) ?? []).filter((f) => DB_EXT.test(f));
  let built: Date | null = null;
  let version: string | null = null;
  for (const f of files.filter((x) => /\.(cvd|cld)$/i.test(x))) {
    const head = await system.readHead(`${dbDir}/${f}`, 512);
    const h = head ? parseCvdHeader(head) : null;
    if (h && (!built || h.built > built)) {
      built = h.built;
      version = `${f.replace(/\.(cvd|cld)$/i, '')} ${h.version}`;
    }
  }
  if (built) evidence.push(`database ${dbDir}: newest CVD/CLD header build time ${built.toISOString()}`);
  else if (files.length) {
    const stats = await Promise.all(files.map((f) => system.stat(`${dbDir}/${f}`)));
    const newest = stats.reduce<Date | null>((m, s) => (s && (!m || s.mtime > m) ? s.mtime : m), null);
    if (newest) {
      built = newest;
      evidence.push(`database ${dbDir}: no CVD/CLD header, newest signature file modified ${newest.toISOString()}`);
    }
  }
  if (!built) unknown.push({ field: 'signatureDate', reason: `no signature database found in ${dbDir}` });

  let productVersion: string | null = null;
  const v = present.length ? await system.run('clamd', ['--version'], { timeoutMs: 3000 }) : { kind: 'not-found' as const };
  if (v.kind === 'ok' && v.code === 0) productVersion = v.stdout.match(/ClamAV ([\d.]+)/)?.[1] ?? null;
  if (!productVersion) unknown.push({ field: 'version', reason: 'clamd --version gave no version' });

  return product(
    {
      id: 'clamav',
      name: 'ClamAV',
      vendor: 'Cisco Talos',
      version: productVersion,
      installed: true,
      running: clamdRunning,
      realTime,
      signatureVersion: version,
      signatureDate: built ? built.toISOString() : null,
      signatureAgeHours: built ? ageHours(built, now) : null,
      antiMalware: true,
      evidence,
      unknown,
    },
    maxAgeHours,
  );
}
