/**
 * The protection probe against a real ClamAV (Debian clamav-daemon): clamd started with a config
 * in a temp dir (found by the probe from clamd's own command line, as on a real host), a signature
 * database written here with a known date, clamonacc for on-access scanning. No network: the
 * database is one MD5 signature of the EICAR test file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, utimes, writeFile, mkdir } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_BIN, runNode } from '../../../../testing/collector.js';
import { waitFor } from '../../../../testing/ports.js';
import { validateConfig } from '../../config.js';
import { LocalSystem } from '../../system.js';
import { protectionProbe } from './index.js';

const CLAMD = '/usr/sbin/clamd';
const CLAMONACC = '/usr/sbin/clamonacc';
const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
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
let conf = '';
let db = '';
let log = '';
const system = new OwnProcesses();
const children: ChildProcess[] = [];

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

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  await gone;
  system.pids.delete(String(child.pid));
}

/** clamd answers PING on its socket once its database is loaded. */
const pong = (socket: string) =>
  new Promise<boolean>((resolve) => {
    const c = net.createConnection(socket);
    let out = '';
    c.on('connect', () => c.write('zPING\0'));
    c.on('data', (d) => (out += d.toString()));
    c.on('end', () => resolve(out.startsWith('PONG')));
    c.on('error', () => resolve(false));
  });

async function startClamd(): Promise<ChildProcess> {
  const child = start(CLAMD, ['-c', conf, '--foreground']);
  await waitFor('clamd to answer PING', () => pong(join(dir, 'clamd.sock')), 30_000);
  return child;
}

async function startClamonacc(): Promise<ChildProcess> {
  const child = start(CLAMONACC, ['-c', conf, '--foreground']);
  await waitFor('clamonacc to start watching', async () => (await system.readFile(`/proc/${child.pid}/comm`))?.trim() === 'clamonacc', 15_000);
  // Give it the moment it needs to put its fanotify marks in place.
  await new Promise((r) => setTimeout(r, 1000));
  return child;
}

/** Write the database with a known modification time (the date the probe must report). */
async function writeDatabase(date: Date): Promise<void> {
  const file = join(db, 'posture-test.hdb');
  await writeFile(file, '44d88612fea8a8f36de82e1278abb02f:68:Posture.Test.EICAR\n');
  await utimes(file, date, date);
}

const probe = async () => {
  const config = validateConfig({ unit: 'test-unit' }, 'test');
  const facts = await protectionProbe.collect({ system, config, signal: new AbortController().signal, earlier: {} });
  return { facts, clamav: facts.products.find((p) => p.id === 'clamav') };
};

beforeAll(async () => {
  if (!existsSync(CLAMD) || !existsSync(CLAMONACC)) {
    throw new Error(`${CLAMD} or ${CLAMONACC} missing: install the Debian package clamav-daemon (scripts/install-deps.sh)`);
  }
  dir = await mkdtemp(join(tmpdir(), 'posture-clamav-'));
  db = join(dir, 'db');
  log = join(dir, 'clamd.log');
  conf = join(dir, 'clamd.conf');
  await mkdir(db);
  await mkdir(join(dir, 'watched'));
  await writeFile(
    conf,
    [
      `LocalSocket ${join(dir, 'clamd.sock')}`,
      `DatabaseDirectory ${db}`,
      `LogFile ${log}`,
      `TemporaryDirectory ${dir}`,
      'Foreground yes',
      `OnAccessIncludePath ${join(dir, 'watched')}`,
      'OnAccessExcludeUname clamav',
      'OnAccessPrevention no',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  for (const c of children) await stop(c);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('ClamAV on this machine (real clamd, clamonacc)', () => {
  const written = new Date(Math.floor((Date.now() - 2 * 24 * HOUR) / 1000) * 1000);

  it('clamd alone: installed, running, the database date written here, on demand only: not protected', async () => {
    await writeDatabase(written);
    const clamd = await startClamd();
    const { facts, clamav } = await probe();
    expect(clamav).toMatchObject({ installed: true, running: true, realTime: false, protects: false, signatureDate: written.toISOString() });
    expect(clamav!.signatureAgeHours).toBeGreaterThanOrEqual(48);
    expect(clamav!.signatureAgeHours).toBeLessThan(48.1);
    expect(clamav!.version).toMatch(/^\d+\.\d+/);
    expect(clamav!.evidence.join('\n')).toContain(`clamd pid ${clamd.pid} runs with -c ${conf}`);
    expect(clamav!.evidence).toContain('clamd answers PING');
    expect(clamav!.evidence.join('\n')).toMatch(/OnAccess paths .* configured but clamonacc is not running/);
    expect(facts.protected).toBe(false);
    expect(facts.reasons.join('\n')).toMatch(/ClamAV: not protecting \(real-time protection off\)/);
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
    expect(clamav).toMatchObject({ installed: true, running: true });
    expect(clamav!.evidence.join('\n')).toMatch(/clamd pid \d+ runs with -c \//);
  });

  it('clamd with clamonacc: real-time on, fresh signatures: protected, and a file opened in the watched path is really scanned', async () => {
    await startClamonacc();
    const { facts, clamav } = await probe();
    expect(clamav).toMatchObject({ running: true, realTime: true, protects: true, signatureDate: written.toISOString() });
    expect(facts.protected).toBe(true);
    // Proof that "real-time" is real: opening the EICAR file makes clamd report it.
    const eicar = join(dir, 'watched', 'eicar.txt');
    await writeFile(eicar, EICAR);
    await readFile(eicar);
    await waitFor('clamd to log the on-access detection', async () => (await readFile(log, 'utf8')).includes('Posture.Test.EICAR.UNOFFICIAL FOUND'), 15_000);
  });

  it('clamd and clamonacc stopped: not running, host not protected', async () => {
    for (const c of [...children]) await stop(c);
    const { facts, clamav } = await probe();
    expect(clamav).toMatchObject({ installed: true, running: false, realTime: false, protects: false });
    expect(facts.protected).toBe(false);
    expect(facts.reasons.join('\n')).toMatch(/ClamAV: not protecting \(not running/);
  });

  it('database older than the limit: running with real-time on, still not protected', async () => {
    const old = new Date(Math.floor((Date.now() - 30 * 24 * HOUR) / 1000) * 1000);
    await writeDatabase(old);
    await startClamd();
    await startClamonacc();
    const { facts, clamav } = await probe();
    expect(clamav).toMatchObject({ running: true, realTime: true, protects: false, signatureDate: old.toISOString() });
    expect(clamav!.signatureAgeHours).toBeGreaterThan(168);
    expect(facts.protected).toBe(false);
    expect(facts.reasons.join('\n')).toMatch(/signatures 720(\.\d)? h old \(limit 168 h\)/);
  });
});
