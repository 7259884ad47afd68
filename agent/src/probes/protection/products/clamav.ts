/**
 * ClamAV on Linux, read from the running engine (see README.md, "ClamAV: effective state").
 * - Installed: a clamd/clamscan binary, or a clamd process.
 * - Running: a clamd process, alive in the kernel (not stopped), that replies to VERSION and
 *   scans a test stream on its own socket within the deadline (clamd-query.ts). Its config is
 *   the `-c` argument on its command line (/proc/<pid>/cmdline), else the distribution default.
 * - Real-time: clamonacc alive, holding fanotify marks, covering `protection.onAccessMustCover`
 *   and sending to that clamd (clamonacc.ts). clamd alone scans on demand: realTime=false.
 * - Signatures: the official database clamd reports as loaded (VERSION), dated by the matching
 *   CVD/CLD header on disk (exact UTC) or else by the date in the reply. When clamd does not
 *   answer, the newest official header on disk. Plain signature files have no build date and
 *   never date the database (their mtime is when someone touched them).
 */
import type { ProtectionProduct } from '@posture/protocol';
import { reason, type Reason } from '@posture/protocol';
import type { ProductContext, Unknowns } from '../product.js';
import { ageHours, product } from '../product.js';
import { confValue, findClamdConfig, readDatabase, socketOf } from './clamav-db.js';
import { askClamd } from './clamd-query.js';
import { filesStamp } from '../../common/file-stamp.js';
import { processState, readOnAccess } from './clamonacc.js';

/**
 * `clamd --version` of an installed clamd that is not running, kept per reader while the
 * binary, the package databases and the dynamic linker's cache keep their stamps: the engine
 * version is libclamav's, which changes only with a package (dpkg/rpm) or a library installed
 * and registered with ldconfig. Only clean exits are kept.
 */
const versionKept = new WeakMap<object, { stamp: string; version: string | null }>();
const VERSION_INPUTS = ['/var/lib/dpkg/status', '/var/lib/rpm', '/usr/lib/sysimage/rpm', '/etc/ld.so.cache'];

async function clamdVersion(ctx: ProductContext, clamd: string): Promise<string | null> {
  const { system } = ctx;
  const stamp = await filesStamp(system, [clamd, ...VERSION_INPUTS]);
  const kept = versionKept.get(system);
  if (kept?.stamp === stamp) return kept.version;
  const v = await system.run(clamd, ['--version'], { timeoutMs: ctx.commandTimeoutMs });
  if (v.kind !== 'ok' || v.code !== 0) return null;
  const version = v.stdout.match(/ClamAV ([\d.]+)/)?.[1] ?? null;
  versionKept.set(system, { stamp, version });
  return version;
}

const BINARIES = ['/usr/sbin/clamd', '/usr/local/sbin/clamd', '/usr/bin/clamscan', '/usr/local/bin/clamscan', '/usr/bin/clamdscan'];

export async function detectClamav(ctx: ProductContext): Promise<ProtectionProduct | null> {
  const { system, processes, now } = ctx;
  const present = (await Promise.all(BINARIES.map(async (b) => ((await system.stat(b)) ? b : null)))).filter((b): b is string => b !== null);
  const clamdPids = processes.pids('clamd');
  if (!present.length && !clamdPids.length) return null;

  const evidence: string[] = [];
  const unknown: Unknowns = [];
  const causes: Reason[] = [];
  if (present.length) evidence.push(`binaries: ${present.join(', ')}`);
  evidence.push(clamdPids.length ? `process clamd running (pid ${clamdPids.join(', ')})` : 'no clamd process');

  const conf = await findClamdConfig(system, processes);
  evidence.push(`config: ${conf.how}`);
  const socket = socketOf(conf.text);

  let running: boolean | null = false;
  let loaded: { version: string; date: Date } | null = null;
  let engine: string | null = null;
  if (clamdPids.length) {
    const state = await processState(system, clamdPids[0]!);
    if (state === 'T' || state === 't' || state === 'Z') evidence.push(`clamd pid ${clamdPids[0]} kernel state ${state} (${state === 'Z' ? 'zombie' : 'stopped'})`);
    const answer = await askClamd(system, socket, ctx.commandTimeoutMs);
    evidence.push(...answer.evidence);
    running = answer.answered;
    engine = answer.version?.engine ?? null;
    loaded = answer.version?.database ?? null;
    if (answer.answered === false) causes.push(reason('PROTECTION_ENGINE_NOT_ANSWERING', { product: 'ClamAV', detail: answer.problem ?? '' }));
    if (answer.answered === null) unknown.push({ field: 'running', reason: answer.problem ?? 'clamd not asked', reasonCode: reason('PROTECTION_ENGINE_NOT_ASKED', { product: 'ClamAV', detail: answer.problem ?? '' }) });
  }

  const onAccess = await readOnAccess(system, processes, ctx.mustCover);
  evidence.push(...onAccess.evidence);
  if (onAccess.socket && socket && onAccess.socket !== socket) evidence.push(`clamonacc sends files to ${onAccess.socket}, not to the clamd asked on ${socket}`);
  let realTime: boolean | null = running === true ? onAccess.covers : running === false ? false : null;
  if (realTime === true && onAccess.socket && socket && onAccess.socket !== socket) realTime = null;
  if (realTime === null) unknown.push({ field: 'realTime', reason: onAccess.problem ?? 'clamd could not be asked', reasonCode: reason('PROTECTION_FIELD_UNKNOWN', { product: 'ClamAV', field: 'realTime' }) });
  if (onAccess.covers === false && onAccess.problem && running === true) causes.push(reason('PROTECTION_ONACCESS_INCOMPLETE', { product: 'ClamAV', detail: onAccess.problem }));
  if (processes.has('freshclam')) evidence.push('freshclam daemon running (signature updates)');

  const dbDir = confValue(conf.text, 'DatabaseDirectory') ?? '/var/lib/clamav';
  const db = await readDatabase(system, dbDir);
  evidence.push(db.evidence);
  let sigDate: Date | null = null;
  let sigVersion: string | null = null;
  if (loaded) {
    // What clamd scans with is what it loaded; the files may be newer (not reloaded yet) or forged.
    const header = db.containers.find((c) => c.version === loaded.version && /^daily\./.test(c.file));
    sigDate = header?.built ?? loaded.date;
    sigVersion = `daily ${loaded.version} (loaded)`;
    evidence.push(`signatures: clamd has loaded daily ${loaded.version}${header ? `, built ${header.built.toISOString()} per ${header.file}` : ` of ${loaded.date.toISOString()} (its reply, host local time)`}`);
  } else if (running === true) {
    const why = `clamd has loaded no official database (VERSION names none): ${db.evidence}`;
    unknown.push({ field: 'signatureDate', reason: why, reasonCode: reason('PROTECTION_NO_OFFICIAL_DATABASE', { product: 'ClamAV', dir: dbDir }) });
  } else if (db.newest) {
    sigDate = db.newest.built;
    sigVersion = `${db.newest.file.replace(/\.\w+$/, '')} ${db.newest.version} (on disk; clamd not asked)`;
  } else {
    unknown.push({ field: 'signatureDate', reason: db.evidence, reasonCode: reason('PROTECTION_NO_OFFICIAL_DATABASE', { product: 'ClamAV', dir: dbDir }) });
  }

  let version = engine;
  const clamd = present.find((b) => b.endsWith('/clamd'));
  if (!version && clamd) version = await clamdVersion(ctx, clamd);
  if (!version) unknown.push({ field: 'version', reason: clamd ? 'neither clamd nor clamd --version told its version' : 'no clamd binary to ask' });

  return product(
    {
      id: 'clamav',
      name: 'ClamAV',
      vendor: 'Cisco Talos',
      version,
      installed: true,
      running,
      realTime,
      signatureVersion: sigVersion,
      signatureDate: sigDate ? sigDate.toISOString() : null,
      signatureAgeHours: sigDate ? ageHours(sigDate, now) : null,
      antiMalware: true,
      evidence,
      unknown,
      causes,
    },
    ctx,
  );
}
