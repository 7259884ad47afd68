/**
 * ClamAV on Linux.
 * - Installed: a clamd/clamscan binary, or a clamd process.
 * - Running: a clamd process that answers PING on its socket (clamdscan with clamd's config).
 *   Its config is the `-c` argument on its command line (/proc/<pid>/cmdline), else the
 *   distribution default, so a clamd started with a non-default config is read the way it runs.
 * - Real-time: ClamAV scans files as they are opened only through clamonacc (on-access, fanotify)
 *   talking to a running clamd. clamd alone scans on demand: realTime=false, which is not
 *   protecting. clamonacc without clamd cannot scan: realTime=false too.
 * - Signatures: the database clamd reports as loaded (`clamdscan --version`), else the build time
 *   in the newest CVD/CLD header of DatabaseDirectory; for a database of plain signature files
 *   (.hdb, .ndb, ...) the newest file's modification time.
 */
import type { ProtectionProduct } from '@posture/protocol';
import type { ProductContext, Unknowns } from '../product.js';
import { ageHours, describeFailure, product } from '../product.js';
import { confValue, confValues, findClamdConfig, readDatabase } from './clamav-db.js';
import { askClamd } from './clamd-query.js';

const BINARIES = ['/usr/sbin/clamd', '/usr/local/sbin/clamd', '/usr/bin/clamscan', '/usr/local/bin/clamscan', '/usr/bin/clamdscan'];

export async function detectClamav(ctx: ProductContext): Promise<ProtectionProduct | null> {
  const { system, processes, now } = ctx;
  const present = (await Promise.all(BINARIES.map(async (b) => ((await system.stat(b)) ? b : null)))).filter((b): b is string => b !== null);
  const clamdRunning = processes.has('clamd');
  if (!present.length && !clamdRunning) return null;

  const evidence: string[] = [];
  const unknown: Unknowns = [];
  if (present.length) evidence.push(`binaries: ${present.join(', ')}`);
  evidence.push(clamdRunning ? `process clamd running (pid ${processes.pids('clamd').join(', ')})` : 'no clamd process');

  const conf = await findClamdConfig(system, processes);
  evidence.push(`config: ${conf.how}`);
  const socket = confValue(conf.text, 'LocalSocket') ?? confValue(conf.text, 'TCPSocket');
  if (socket) evidence.push(`clamd listens on ${socket}`);

  const onacc = processes.has('clamonacc');
  const onAccessPaths = [...confValues(conf.text, 'OnAccessIncludePath'), ...confValues(conf.text, 'OnAccessMountPath')].join(', ');
  if (onacc) evidence.push(`process clamonacc running: on-access scanning${onAccessPaths ? ` of ${onAccessPaths}` : ''}`);
  else if (onAccessPaths) evidence.push(`OnAccess paths (${onAccessPaths}) configured but clamonacc is not running: scanning is on demand only; start it (Debian: systemctl enable --now clamav-clamonacc)`);
  else evidence.push('no clamonacc process and no OnAccess paths configured: scanning is on demand only; set OnAccessIncludePath in clamd.conf and run clamonacc for real-time protection');
  if (onacc && !clamdRunning) evidence.push('clamonacc runs without clamd: it cannot scan');
  if (processes.has('freshclam')) evidence.push('freshclam daemon running (signature updates)');

  let running: boolean | null = clamdRunning;
  let loaded: { version: string; date: Date } | null = null;
  if (clamdRunning) {
    const answer = await askClamd(system, conf.file, ctx.commandTimeoutMs);
    evidence.push(...answer.evidence);
    if (answer.answered === false) running = false;
    loaded = answer.loaded;
  }

  const dbDir = confValue(conf.text, 'DatabaseDirectory') ?? '/var/lib/clamav';
  const db = await readDatabase(system, dbDir);
  evidence.push(db.evidence);
  // What clamd scans with is what it loaded; the files may be newer than its last reload.
  const sigDate = loaded?.date ?? db.date;
  const sigVersion = loaded ? `daily ${loaded.version} (loaded)` : db.version;
  if (!sigDate) unknown.push({ field: 'signatureDate', reason: db.evidence });

  let version: string | null = null;
  const clamd = present.find((b) => b.endsWith('/clamd'));
  if (clamd) {
    const v = await system.run(clamd, ['--version'], { timeoutMs: ctx.commandTimeoutMs });
    if (v.kind === 'ok' && v.code === 0) version = v.stdout.match(/ClamAV ([\d.]+)/)?.[1] ?? null;
    if (!version) unknown.push({ field: 'version', reason: v.kind === 'ok' && v.code === 0 ? 'clamd --version printed no version' : describeFailure(`${clamd} --version`, v) });
  } else {
    unknown.push({ field: 'version', reason: 'no clamd binary to ask' });
  }

  return product(
    {
      id: 'clamav',
      name: 'ClamAV',
      vendor: 'Cisco Talos',
      version,
      installed: true,
      running,
      realTime: running === true && onacc,
      signatureVersion: sigVersion,
      signatureDate: sigDate ? sigDate.toISOString() : null,
      signatureAgeHours: sigDate ? ageHours(sigDate, now) : null,
      antiMalware: true,
      evidence,
      unknown,
    },
    ctx,
  );
}
