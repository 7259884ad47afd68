/**
 * Admin commands open the store only: with a rule file that does not load, `posture tokens
 * create`, `agents list` and `systems list` still work (the built CLI as a process, as an
 * operator runs it), while `posture report`, which evaluates the rules, refuses with the
 * rule file's problem.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { POSTURE_BIN, TEST_UNITS, runNode } from '../../../testing/collector.js';
import { sqlAll } from '../../../testing/sql.js';
import { openStore } from '../store/index.js';
import { loadConfig } from '../config.js';

let dir: string;
let cfg: string;
let rules: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-store-only-'));
  cfg = join(dir, 'collector.yaml');
  rules = join(dir, 'broken.rules.yaml');
  // A misspelled key and a target that is not a ratio: this file can never load.
  await writeFile(rules, 'groups:\n  - name: g\n    rules:\n      - indicator: endpoint_protection\n        tt: 12\n        populaton: hosts\n        pass: host.protection.protected\n        target: 90%\n');
  await writeFile(cfg, stringify({ dataDir: join(dir, 'data'), units: TEST_UNITS, rules: { files: [rules] } }));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a broken rule file', () => {
  it('does not stop posture tokens create, agents list or systems list', async () => {
    const made = await runNode(POSTURE_BIN, ['-c', cfg, 'tokens', 'create', 'grafana', '--role', 'viewer']);
    expect(made.stderr).toContain('token "grafana" (viewer) created');
    expect(made.code).toBe(0);
    const token = made.stdout.trim();
    expect(token).toMatch(/^pt_/);
    const s = openStore(loadConfig(cfg), { syncAuth: false });
    try {
      expect(s.tokens.check(token)).toMatchObject({ ok: true, row: { name: 'grafana', role: 'viewer' } });
      expect(sqlAll(s.db, 'SELECT name FROM api_tokens')).toEqual([{ name: 'grafana' }]);
    } finally {
      s.close();
    }
    const agents = await runNode(POSTURE_BIN, ['-c', cfg, 'agents', 'list', '--json']);
    expect(agents.code).toBe(0);
    expect(JSON.parse(agents.stdout)).toEqual([]);
    const systems = await runNode(POSTURE_BIN, ['-c', cfg, 'systems', 'list', '--json']);
    expect(systems.code).toBe(0);
    expect(JSON.parse(systems.stdout)).toEqual({ systems: [], unclassified: [] });
  }, 120_000); // four CLI processes, each a Node start, on a shared machine

  it('stops posture report, which evaluates the rules, naming the file and line', async () => {
    const r = await runNode(POSTURE_BIN, ['-c', cfg, 'report']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${rules}:6:`);
  }, 60_000);
});
