/**
 * The protection probe against a real ClamAV (Debian clamav-daemon): clamd started with a config
 * in a temp dir (found by the probe from clamd's own command line, as on a real host), a real
 * database container written here with a known version and build time (testing/clamav-db.ts),
 * clamonacc for on-access scanning. No network. The traps are built for real: clamd stopped
 * with SIGSTOP (the process exists, nothing answers), clamonacc watching one folder, a stale
 * database touched to a fresh mtime, a site signature file with a fresh mtime and no build date.
 * "The whole system" here is a tmpfs the test mounts (protection.onAccessMustCover points at it),
 * so that clamonacc does not scan every file the other engineers on this machine open.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, utimes, writeFile, mkdir, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clamavDailyCud, EICAR } from '../../../../testing/clamav-db.js';
import { AGENT_BIN, runNode } from '../../../../testing/collector.js';
import { waitFor } from '../../../../testing/ports.js';
import { validateConfig } from '../../config.js';
import { LocalSystem } from '../../system.js';
import { VERSION_REQUEST } from './products/clamd-query.js';
import { protectionProbe } from './index.js';

const CLAMD = '/usr/sbin/clamd';
const CLAMONACC = '/usr/sbin/clamonacc';
const HOUR = 3_600_000;

/**
 * The real machine, except that /proc lists only the processes this test started: other tests
 * (or a host clamd) may run their own clamd at the same time, and this test must judge its own.
 */
class OwnProcesses extends LocalSystem {
  readonly pids = new Set<string>();
  override async readDir(path: string): Promise<string[] | null> {
    const entries = await super.readDir(path);
    return path === '/proc' && entries ? entries.filter((e) => !/^\d+$/.test(e) || this.pids.has(e)) : entries;
  }
}

let dir = '';
let mnt = '';
let db = '';
let log = '';
let clamdConf = '';
let folderConf = '';
let sock = '';
const system = new OwnProcesses();
const children: ChildProcess[] = [];
let clamd: ChildProcess | undefined;

function start(cmd: string, args: string[]): ChildProcess {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
  child.on('exit', (code) => {
    if (code && code !== 0 && !child.killed) console.error(`${cmd} exited ${code}: ${err}`);
  });
  children.push(child);
  system.pids.add(String(child.pid));
  return child;
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGCONT');
  child.kill('SIGTERM');
  await gone;
  system.pids.delete(String(child.pid));
}

async function startClamd(): Promise<ChildProcess> {
  const child = start(CLAMD, ['-c', clamdConf, '--foreground']);
  await waitFor(
    'clamd to answer VERSION',
    async () => {
      const r = await system.exchange(sock, VERSION_REQUEST, { timeoutMs: 1000, terminator: 0 });
      return r.kind === 'ok' && r.reply.startsWith('ClamAV');
    },
    30_000,
  );
  clamd = child;
  return child;
}

async function startClamonacc(conf: string): Promise<ChildProcess> {
  const child = start(CLAMONACC, ['-c', conf, '--foreground', '--fdpass']);
  // Ready when the kernel shows its fanotify marks.
  await waitFor(
    'clamonacc to hold its fanotify marks',
    async () => {
      const fds = (await system.readDir(`/proc/${child.pid}/fd`)) ?? [];
      const infos = await Promise.all(fds.map((fd) => system.readFile(`/proc/${child.pid}/fdinfo/${fd}`)));
      return infos.some((i) => /^fanotify (mnt_id|ino):/m.test(i ?? ''));
    },
    20_000,
  );
  await new Promise((r) => setTimeout(r, 500));
  return child;
}

/** Replace the database with one real container of this version and build time. */
async function writeDatabase(version: number, built: Date): Promise<void> {
  await rm(db, { recursive: true, force: true });
  await mkdir(db);
  await writeFile(join(db, 'daily.cud'), clamavDailyCud(version, built));
}

const probe = async (protection: Record<string, unknown> = {}) => {
  const config = validateConfig({ unit: 'test-unit', protection: { commandTimeoutMs: 2000, onAccessMustCover: [mnt], ...protection } }, 'test');
  const facts = await protectionProbe.collect({ system, config, signal: new AbortController().signal, earlier: {} });
  return { facts, clamav: facts.products.find((p) => p.id === 'clamav') };
};

const logLines = async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter((l) => l.includes('FOUND')).length;

/** Open a file the way any program does (a child `cat`), with a deadline; its exit says whether the open was allowed. */
const openWithCat = (file: string) => execFileSync('timeout', ['10', 'cat', file], { encoding: 'utf8' });

beforeAll(async () => {
  if (!existsSync(CLAMD) || !existsSync(CLAMONACC)) {
    throw new Error(`${CLAMD} or ${CLAMONACC} missing: install the Debian package clamav-daemon (scripts/install-deps.sh)`);
  }
  dir = await mkdtemp(join(tmpdir(), 'posture-clamav-'));
  db = join(dir, 'db');
  log = join(dir, 'clamd.log');
  sock = join(dir, 'clamd.sock');
  clamdConf = join(dir, 'clamd.conf');
  folderConf = join(dir, 'clamonacc-folder.conf');
  mnt = join(dir, `system-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  await mkdir(mnt);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', `posture-test-${process.pid}`, mnt]);
  await mkdir(join(mnt, 'watched'));
  const common = [`LocalSocket ${sock}`, `DatabaseDirectory ${db}`, `LogFile ${log}`, `TemporaryDirectory ${dir}`, 'Foreground yes', 'OnAccessExcludeUname clamav', 'OnAccessPrevention no'];
  // The "system" mount as a whole (fanotify mount mark), and a config watching one folder only.
  await writeFile(clamdConf, [...common, `OnAccessMountPath ${mnt}`, ''].join('\n'));
  await writeFile(folderConf, [...common, `OnAccessIncludePath ${join(mnt, 'watched')}`, ''].join('\n'));
});

afterAll(async () => {
  for (const c of children) await stop(c);
  if (mnt) execFileSync('umount', ['-l', mnt]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('ClamAV on this machine (real clamd, clamonacc)', () => {
  const built = new Date(Math.floor((Date.now() - 2 * 24 * HOUR) / 1000) * 1000);

  it('clamd alone: answers VERSION and scans, reports the database it loaded (version and build time), on demand only: not protected', async () => {
    await writeDatabase(27400, built);
    const child = await startClamd();
    const { facts, clamav } = await probe();
    expect(clamav).toMatchObject({ installed: true, running: true, realTime: false, protects: false, signatureDate: built.toISOString(), signatureVersion: 'daily 27400 (loaded)' });
    expect(clamav!.signatureAgeHours).toBeGreaterThanOrEqual(48);
    expect(clamav!.signatureAgeHours).toBeLessThan(48.1);
    expect(clamav!.version).toMatch(/^\d+\.\d+/);
    const evidence = clamav!.evidence.join('\n');
    expect(evidence).toContain(`clamd pid ${child.pid} runs with -c ${clamdConf}`);
    expect(evidence).toMatch(/VERSION: replied "ClamAV [\d.]+\/27400\//);
    expect(evidence).toContain('INSTREAM: replied "stream: OK"');
    expect(evidence).toMatch(/no clamonacc process/);
    expect(facts.protected).toBe(false);
    expect(facts.reasons.join('\n')).toMatch(/ClamAV: not protecting \(real-time protection off\)/);
    expect(facts.reasonCodes).toContainEqual({ code: 'PROTECTION_REALTIME_OFF', params: { product: 'ClamAV' } });
  });

  it('posture-agent collect --once (the built agent, a real run) shows the ClamAV facts while clamd runs', async () => {
    if (!existsSync(join(AGENT_BIN, '../../dist/cli.js'))) throw new Error('agent/dist missing: run `npm run build` first');
    const agentConf = join(dir, 'agent.yaml');
    await writeFile(agentConf, `unit: TTCNTT\nstateDir: ${join(dir, 'state')}\nprobes:\n  disabled: [ipv6]\n`);
    const r = await runNode(AGENT_BIN, ['-c', agentConf, 'collect', '--once', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { probes: { protection: { ok: boolean; facts: { products: { id: string; running: boolean; installed: boolean; evidence: string[] }[] } } } };
    expect(report.probes.protection.ok).toBe(true);
    const clamav = report.probes.protection.facts.products.find((p) => p.id === 'clamav');
    // The whole host is visible to the CLI: another clamd may run too, so only what holds for any.
    expect(clamav).toMatchObject({ installed: true });
    expect(clamav!.evidence.join('\n')).toMatch(/clamd pid \d+ runs with -c \//);
  });

  it('clamonacc watching only one folder: real-time does not cover the system, not protected (though EICAR in that folder is caught)', async () => {
    const onacc = await startClamonacc(folderConf);
    const { facts, clamav } = await probe();
    expect(clamav).toMatchObject({ running: true, realTime: false, protects: false });
    expect(clamav!.evidence.join('\n')).toMatch(new RegExp(`on-access scanning does not cover ${mnt}`));
    expect(facts.reasonCodes).toContainEqual(expect.objectContaining({ code: 'PROTECTION_ONACCESS_INCOMPLETE' }));
    // The folder itself is watched: the trap is that everything else on the system is not.
    const before = await logLines();
    await writeFile(join(mnt, 'watched', 'eicar.txt'), EICAR);
    await readFile(join(mnt, 'watched', 'eicar.txt'));
    await waitFor('clamd to log the detection in the watched folder', async () => (await logLines()) > before, 15_000);
    await new Promise((r) => setTimeout(r, 1000));
    const caught = await logLines();
    await writeFile(join(mnt, 'eicar-outside.txt'), EICAR);
    expect(openWithCat(join(mnt, 'eicar-outside.txt'))).toBe(EICAR);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await logLines()).toBe(caught);
    await stop(onacc);
  });

  it('clamonacc on the whole system mount: real-time on, fresh signatures: protected, and a file opened anywhere on it is really scanned', async () => {
    await startClamonacc(clamdConf);
    const { facts, clamav } = await probe();
    expect(clamav).toMatchObject({ running: true, realTime: true, protects: true, signatureDate: built.toISOString() });
    expect(clamav!.evidence.join('\n')).toMatch(/kernel: clamonacc holds [1-9]\d* fanotify mount mark/);
    expect(facts.protected).toBe(true);
    expect(facts.reasonCodes).toContainEqual({ code: 'PROTECTION_PRODUCT_PROTECTS', params: { product: 'ClamAV' } });
    const before = await logLines();
    await writeFile(join(mnt, 'eicar-anywhere.txt'), EICAR);
    await readFile(join(mnt, 'eicar-anywhere.txt'));
    await waitFor('clamd to log the on-access detection', async () => (await logLines()) > before, 15_000);
  });

  it('clamd stopped with SIGSTOP: the process exists, nothing answers: not running, not protecting, and an EICAR open is not caught', async () => {
    clamd!.kill('SIGSTOP');
    try {
      const { facts, clamav } = await probe();
      expect(await system.readFile(`/proc/${clamd!.pid}/comm`)).toBe('clamd\n');
      expect(clamav).toMatchObject({ running: false, realTime: false, protects: false });
      expect(clamav!.evidence.join('\n')).toMatch(/kernel state T \(stopped\)/);
      expect(clamav!.evidence.join('\n')).toMatch(/no complete reply within 2000 ms/);
      expect(facts.protected).toBe(false);
      expect(facts.reasonCodes).toContainEqual(expect.objectContaining({ code: 'PROTECTION_ENGINE_NOT_ANSWERING' }));
      const before = await logLines();
      await writeFile(join(mnt, 'eicar-while-stopped.txt'), EICAR);
      expect(openWithCat(join(mnt, 'eicar-while-stopped.txt'))).toBe(EICAR);
      await new Promise((r) => setTimeout(r, 2000));
      expect(await logLines()).toBe(before);
    } finally {
      clamd!.kill('SIGCONT');
    }
  });

  it('a stale database touched to a fresh mtime: the build time clamd reports decides, not protected', async () => {
    await stop(clamd);
    const old = new Date(Math.floor((Date.now() - 30 * 24 * HOUR) / 1000) * 1000);
    await writeDatabase(27300, old);
    const now = new Date();
    await utimes(join(db, 'daily.cud'), now, now);
    await startClamd();
    const { facts, clamav } = await probe();
    expect(clamav).toMatchObject({ running: true, realTime: true, protects: false, signatureDate: old.toISOString(), signatureVersion: 'daily 27300 (loaded)' });
    expect(clamav!.signatureAgeHours).toBeGreaterThan(168);
    expect(facts.protected).toBe(false);
    expect(facts.reasons.join('\n')).toMatch(/signatures 720(\.\d)? h old \(limit 168 h\)/);
  });

  it('a site signature file with a fresh mtime and no official database: signature date unknown, not protected', async () => {
    await stop(clamd);
    await unlink(join(db, 'daily.cud'));
    await writeFile(join(db, 'site.hdb'), `44d88612fea8a8f36de82e1278abb02f:${EICAR.length}:Posture.Site.EICAR\n`);
    await startClamd();
    const { facts, clamav } = await probe();
    expect(clamav).toMatchObject({ running: true, realTime: true, protects: false, signatureDate: null, signatureAgeHours: null });
    expect(clamav!.unknown).toContainEqual(expect.objectContaining({ field: 'signatureDate', reasonCode: { code: 'PROTECTION_NO_OFFICIAL_DATABASE', params: { product: 'ClamAV', dir: db } } }));
    expect(facts.protected).toBe(false);
  });

  it('clamd and clamonacc stopped: not running, host not protected', async () => {
    for (const c of [...children]) await stop(c);
    const { facts, clamav } = await probe();
    expect(clamav).toMatchObject({ installed: true, running: false, realTime: false, protects: false });
    expect(facts.protected).toBe(false);
    expect(facts.reasons.join('\n')).toMatch(/ClamAV: not protecting \(not running/);
  });
});
