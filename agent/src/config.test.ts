/** Broken agent config files, each refused with a message naming the file, line and problem. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, validateLayers } from './config.js';
import { readLayers } from './config-files.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-agent-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
/** Write a main file (and drop-ins) in a fresh directory; return the main file's path. */
async function files(main: string, dropIns: Record<string, string> = {}): Promise<string> {
  const d = join(dir, String(++n));
  await mkdir(join(d, 'agent.d'), { recursive: true });
  await writeFile(join(d, 'agent.yaml'), main);
  for (const [name, text] of Object.entries(dropIns)) await writeFile(join(d, 'agent.d', name), text);
  return join(d, 'agent.yaml');
}

async function problemsOf(main: string, dropIns: Record<string, string> = {}): Promise<string> {
  const file = await files(main, dropIns);
  try {
    await loadConfig(file);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).message;
  }
  throw new Error('config was accepted');
}

const GOOD = 'unit: TTCNTT\ncollector:\n  url: https://collector.example:8443\n';

describe('agent config', () => {
  it('fills defaults, merges drop-ins in name order and freezes the result', async () => {
    const file = await files(GOOD + 'spool:\n  maxReports: 10\n', {
      '10-schedule.yaml': 'schedule:\n  cron: "*/10 * * * *"\n',
      '20-more.yaml': 'schedule:\n  splaySeconds: 5\nsystems: [cong-ttdt]\n',
      'ignored.txt': 'not: yaml: at all: [',
    });
    const c = await loadConfig(file);
    expect(c.schedule).toEqual({ cron: '*/10 * * * *', splaySeconds: 5 });
    expect(c.spool.maxReports).toBe(10);
    expect(c.spool.maxBytes).toBe(256 * 1024 * 1024);
    expect(c.systems).toEqual(['cong-ttdt']);
    expect(c.collector?.timeoutMs).toBe(30_000);
    expect(Object.isFrozen(c.schedule)).toBe(true);
    expect(() => ((c as { unit: string }).unit = 'x')).toThrow(TypeError);
  });

  const cases: { name: string; main: string; dropIns?: Record<string, string>; mentions: RegExp[] }[] = [
    { name: 'YAML syntax error', main: 'unit: TTCNTT\ncollector: [url\n', mentions: [/agent\.yaml:\d+: YAML syntax/] },
    { name: 'duplicate key', main: 'unit: A\nunit: B\n', mentions: [/agent\.yaml:2: YAML syntax.*unique/i] },
    { name: 'not a mapping', main: '- a\n- b\n', mentions: [/must contain a YAML mapping/] },
    { name: 'missing unit', main: 'systems: []\n', mentions: [/missing required key "unit"/] },
    { name: 'unknown top-level key', main: GOOD + 'colector: {}\n', mentions: [/agent\.yaml:4: unknown key "colector"/] },
    { name: 'unknown nested key', main: GOOD + 'spool:\n  maxReport: 5\n', mentions: [/agent\.yaml:5: unknown key "spool\.maxReport"/] },
    { name: 'two unknown keys, both named', main: GOOD + 'spool:\n  a: 1\n  b: 2\n', mentions: [/unknown key "spool\.a"/, /unknown key "spool\.b"/] },
    { name: 'wrong type', main: GOOD + 'spool:\n  maxReports: many\n', mentions: [/agent\.yaml:5: key "spool\.maxReports": Expected integer/] },
    { name: 'out of range', main: GOOD + 'spool:\n  maxReports: 0\n', mentions: [/key "spool\.maxReports": Expected integer to be greater or equal to 1/] },
    { name: 'bad URL scheme', main: 'unit: TTCNTT\ncollector:\n  url: ftp://x\n', mentions: [/agent\.yaml:3: key "collector\.url"/] },
    { name: 'bad unit id', main: 'unit: "Cục HH"\n', mentions: [/key "unit"/] },
    { name: 'bad cron', main: GOOD + 'schedule:\n  cron: "every 5 minutes"\n', mentions: [/agent\.yaml:5: key "schedule\.cron": "every 5 minutes" is not a cron expression/] },
    { name: 'backoff min above max', main: GOOD + 'spool:\n  backoffMinMs: 9000\n  backoffMaxMs: 1000\n', mentions: [/spool\.backoffMinMs.*must not exceed/] },
    { name: 'cert without key', main: GOOD + '  certFile: /etc/hosts\n', mentions: [/collector\.certFile" and "collector\.keyFile" go together/] },
    { name: 'unreadable CA file', main: GOOD + '  caFile: /nonexistent/ca.pem\n', mentions: [/key "collector\.caFile": cannot read \/nonexistent\/ca\.pem \(ENOENT\)/] },
    { name: 'role not in the list', main: GOOD + 'role: desktop\n', mentions: [/key "role"/] },
    { name: 'bad key in a drop-in names the drop-in', main: GOOD, dropIns: { '50-x.yaml': 'schedule:\n  splay: 3\n' }, mentions: [/agent\.d\/50-x\.yaml:2: unknown key "schedule\.splay"/] },
    { name: 'wrong type in a drop-in names the drop-in', main: GOOD, dropIns: { '50-x.yaml': 'probes:\n  timeoutMs: "10s"\n' }, mentions: [/agent\.d\/50-x\.yaml:2: key "probes\.timeoutMs"/] },
    { name: 'drop-in that is a list', main: GOOD, dropIns: { '50-x.yaml': '- 1\n' }, mentions: [/agent\.d\/50-x\.yaml: the file must contain a YAML mapping/] },
    { name: 'drop-in with broken YAML', main: GOOD, dropIns: { '50-x.yaml': 'a: [\n' }, mentions: [/agent\.d\/50-x\.yaml:\d+: YAML syntax/] },
  ];
  for (const c of cases) {
    it(`refuses: ${c.name}`, async () => {
      const msg = await problemsOf(c.main, c.dropIns);
      for (const m of c.mentions) expect(msg).toMatch(m);
    });
  }

  it('the shipped example config is valid', async () => {
    const c = validateLayers(await readLayers(join(import.meta.dirname, '../../deploy/config/agent.example.yaml')));
    expect(c.collector?.caFile).toBe('/etc/posture/collector-ca.pem');
    expect(c.schedule.cron).toBe('*/5 * * * *');
  });

  it('names a missing file', async () => {
    await expect(loadConfig(join(dir, 'nope.yaml'))).rejects.toThrow(/nope\.yaml: invalid agent config:\n {2}- cannot read the file: ENOENT/);
  });
});
