/**
 * The admin CLI groups (agents, hosts, systems, tokens, units) against a real store, as an
 * operator runs them: what they print, what they change, what they refuse.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { TEST_UNITS } from '../../../testing/collector.js';
import { sampleReport } from '../../../testing/reports.js';
import { openCollector } from '../app.js';
import { loadConfig } from '../config.js';
import { main } from '../cli.js';
import { pointsOfReport } from '../influx/points.js';
import { sqlAll } from '../../../testing/sql.js';

let dir: string;
let cfg: string;

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  const ce = vi.spyOn(console, 'error').mockImplementation((s: unknown) => void (err += `${String(s)}\n`));
  try {
    const code = await main(['node', 'posture', '-c', cfg, ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    ce.mockRestore();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-cli-'));
  cfg = join(dir, 'collector.yaml');
  await writeFile(cfg, stringify({ dataDir: join(dir, 'data'), units: TEST_UNITS }));
  // One enrolled agent with one report, as the server would have stored it.
  const c = openCollector(loadConfig(cfg));
  const a = c.agents.enroll('CHHVN', 'srv-01', '');
  const r = sampleReport({ agentId: a.agentId, unit: 'CHHVN', hostname: 'srv-01', systems: ['hh-vts'] });
  c.storeReport(r, 'CHHVN', pointsOfReport(r, 'CHHVN'), new Date());
  c.db.close();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('posture CLI', () => {
  it('tokens create prints a token once and keeps only its hash', async () => {
    const res = await run('tokens', 'create', 'ops', '--role', 'admin');
    expect(res.code).toBe(0);
    const token = res.out.trim();
    expect(token).toMatch(/^pt_[A-Za-z0-9_-]{43}$/);
    const c = openCollector(loadConfig(cfg), null, { syncAuth: false });
    try {
      expect(c.tokens.check(token)).toMatchObject({ ok: true, row: { name: 'ops', role: 'admin' } });
      expect(JSON.stringify(sqlAll(c.db, 'SELECT * FROM api_tokens'))).not.toContain(token);
    } finally {
      c.db.close();
    }
    expect((await run('tokens', 'create', 'ops', '--role', 'admin')).err).toMatch(/a token named "ops" exists/);
    expect((await run('tokens', 'create', 'x', '--role', 'root')).err).toMatch(/--role must be admin or viewer/);
  });

  it('systems set / list / import, with unclassified systems listed', async () => {
    expect((await run('systems', 'set', 'hh-email', '--name', 'Thư điện tử', '--owner', 'CHHVN', '--level', '2', '--approval', '88/QĐ-CHHVN@2023-01-05', '--plan', 'full')).code).toBe(0);
    const bad = await run('systems', 'set', 'hh-x', '--name', 'x', '--owner', 'CHHVN', '--approval', 'no-date');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--approval must be "<decision number>@<YYYY-MM-DD>"/);
    const file = join(dir, 'import.yaml');
    await writeFile(file, 'systems:\n  - { id: hh-portal, name: "Cổng", ownerUnit: CHHVN, level: 3, tags: [portal] }\n');
    expect((await run('systems', 'import', file)).out).toMatch(/imported 1 system/);
    const list = JSON.parse((await run('systems', 'list', '--json')).out) as { systems: { id: string; level: number; approval: string; plan: string }[]; unclassified: { id: string }[] };
    expect(list.systems.map((s) => s.id)).toEqual(['hh-email', 'hh-portal']);
    expect(list.systems[0]).toMatchObject({ level: 2, approval: '88/QĐ-CHHVN (2023-01-05)', plan: 'full' });
    expect(list.unclassified.map((s) => s.id)).toEqual(['hh-vts']);
    const text = (await run('systems', 'list')).out;
    expect(text).toMatch(/Unclassified[\s\S]*hh-vts\s+CHHVN\s+1/);
  });

  it('agents list shows agents and never credentials; hosts decommission records who and why', async () => {
    const agents = JSON.parse((await run('agents', 'list', '--json')).out) as { id: string; hostname: string; last_seen: string | null }[];
    expect(agents).toHaveLength(1);
    expect(agents[0]).toMatchObject({ hostname: 'srv-01', unit: 'CHHVN' });
    expect(agents[0]!.last_seen).toBeTruthy();
    expect((await run('hosts', 'list', '--stale', '--json')).out.trim()).toBe('[]');
    const dec = await run('hosts', 'decommission', 'srv-01', '--reason', 'retired');
    expect(dec.code).toBe(0);
    expect(dec.out).toMatch(/decommissioned at .*credential is revoked/);
    const shown = JSON.parse((await run('hosts', 'show', 'srv-01')).out) as { decommissioned_at: string; audit: { actor: string; action: string }[]; latestReport: { agentId: string } };
    expect(shown.audit[0]).toMatchObject({ action: 'host.decommission', actor: expect.stringMatching(/^cli:/) });
    expect(shown.latestReport.agentId).toBe(agents[0]!.id);
    const again = await run('agents', 'revoke', agents[0]!.id);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already revoked/);
    expect((await run('hosts', 'decommission', 'nope', '--reason', 'x')).code).toBe(3);
  });

  it('units rotate-secret prints a new secret and records an expiry', async () => {
    const res = await run('units', 'rotate-secret', 'TCDBVN', '--expires-days', '30');
    expect(res.code).toBe(0);
    expect(res.out.trim()).toMatch(/^pe_/);
    const units = JSON.parse((await run('units', 'list', '--json')).out) as { id: string; secret_source: string; secret_expires_at: string }[];
    const u = units.find((x) => x.id === 'TCDBVN')!;
    expect(u.secret_source).toBe('cli');
    expect(Date.parse(u.secret_expires_at) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect((await run('units', 'rotate-secret', 'NOPE')).err).toMatch(/unit "NOPE" is not configured/);
  });
});
