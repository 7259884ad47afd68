/**
 * Hot reload keeps the last good rules: through the API (inject) and through SIGHUP on the
 * collector running as a real process. A broken file is refused with its positioned problem;
 * fixing it and reloading again puts the new rules in force.
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, openCollector } from '../app.js';
import { validateConfig } from '../config.js';
import { collectorFixture, startCollectorProcess, TEST_AUTH, TEST_TOKENS, TEST_UNITS, type CollectorFixture, type CollectorProcess } from '../../../testing/collector.js';
import { waitFor } from '../../../testing/ports.js';
import { expandRuleFiles, SHIPPED_RULES } from './manager.js';

const shipped = expandRuleFiles([SHIPPED_RULES]).find((f) => f.endsWith('directive-2022.rules.yaml'))!;
const BROKEN = (text: string) => text.replace('pass: host.protection.protected', 'pass: host.protection.protectd');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-reload-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface RulesView {
  lastError: string | null;
  groups: { rules: { indicator: string; target: number }[] }[];
}
const targets = (v: RulesView) => Object.fromEntries(v.groups.flatMap((g) => g.rules.map((r) => [r.indicator, r.target])));

describe('POST /api/v1/rules/reload', () => {
  it('refuses a broken file with 422 and its position, keeps the old rules, then takes the fixed file', async () => {
    const file = join(dir, 'api.rules.yaml');
    const good = await readFile(shipped, 'utf8');
    await writeFile(file, good);
    const c = openCollector(validateConfig({ dataDir: join(dir, 'api-data'), units: TEST_UNITS, auth: TEST_AUTH, rules: { files: [file] } }, 'test'));
    const app = build(c);
    try {
      await writeFile(file, BROKEN(good));
      const bad = await app.inject({ method: 'POST', url: '/api/v1/rules/reload', headers: { authorization: `Bearer ${TEST_TOKENS.admin}` } });
      expect(bad.statusCode).toBe(422);
      const body = bad.json<{ code: string; message: string; details: { path: string; message: string }[] }>();
      expect(body.code).toBe('RULES_INVALID');
      expect(body.message).toMatch(/the previous rules \(loaded .*\) stay in force/);
      const line =
        BROKEN(good)
          .split('\n')
          .findIndex((l) => l.includes('protectd')) + 1;
      expect(body.details).toEqual([{ path: `${file}:${line}:31`, message: `${file}:${line}:31: group "directive-2022" rule "endpoint_protection" field "pass": CEL: No such key: protectd` }]);
      // Old rules still evaluate.
      expect(c.engine.evaluateNow().indicators.map((i) => i.id)).toContain('endpoint_protection');

      await writeFile(file, good.replace('target: 0.9\n', 'target: 0.95\n'));
      const ok = await app.inject({ method: 'POST', url: '/api/v1/rules/reload', headers: { authorization: `Bearer ${TEST_TOKENS.admin}` } });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({ status: 'reloaded', groups: 1, rules: 3 });
      expect(targets((await app.inject({ url: '/api/v1/rules', headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } })).json<RulesView>()).endpoint_protection).toBe(0.95);
    } finally {
      await app.close();
      c.db.close();
    }
  });
});

describe('SIGHUP on the running collector', () => {
  let fx: CollectorFixture;
  let proc: CollectorProcess;
  let file: string;
  beforeAll(async () => {
    const rulesDir = await mkdtemp(join(tmpdir(), 'posture-hup-'));
    file = join(rulesDir, 'directive.rules.yaml');
    await copyFile(shipped, file);
    fx = await collectorFixture({ rules: { files: [rulesDir] } });
    proc = await startCollectorProcess(fx);
  });
  afterAll(async () => {
    await proc?.stop();
    await rm(fx.dir, { recursive: true, force: true });
  });

  it('a broken reload is logged and refused; a good one is taken', async () => {
    const view = async () => (await (await fetch(`${fx.url}/api/v1/rules`, { headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } })).json()) as RulesView;
    const good = await readFile(file, 'utf8');
    await writeFile(file, BROKEN(good));
    proc.proc.kill('SIGHUP');
    await waitFor('reload failure in the log', async () => proc.output().includes('No such key: protectd'));
    const v = await view();
    expect(v.lastError).toMatch(/field "pass": CEL: No such key: protectd/);
    expect(targets(v).endpoint_protection).toBe(0.9);
    expect(proc.proc.exitCode).toBeNull();

    await writeFile(file, good.replace('target: 0.9\n', 'target: 0.8\n'));
    proc.proc.kill('SIGHUP');
    await waitFor('new rules in force', async () => targets(await view()).endpoint_protection === 0.8);
    expect((await view()).lastError).toBeNull();
  });
});
