/**
 * `posture rules check` and `posture rules test` as a user runs them (the built CLI as a
 * process): the shipped rules and their unit tests pass; a broken rule file and a wrong
 * expectation each fail with exit 1 and say exactly what is wrong.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTURE_BIN, ROOT, runNode } from '../../../testing/collector.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-rules-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('posture rules', () => {
  it('check: the shipped rules are valid', async () => {
    const r = await runNode(POSTURE_BIN, ['rules', 'check', join(ROOT, 'rules')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        `${join(ROOT, 'rules/directive-2022.rules.yaml')}: SUCCESS: 1 group(s), 3 rule(s)`,
        `${join(ROOT, 'rules/directive-2024.rules.yaml')}: SUCCESS: 1 group(s), 2 rule(s)`,
        `${join(ROOT, 'rules/supporting.rules.yaml')}: SUCCESS: 1 group(s), 1 rule(s)`,
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(0);
  });

  it('test: the shipped rule unit tests pass', async () => {
    const r = await runNode(POSTURE_BIN, ['rules', 'test', join(ROOT, 'rules/tests/directive-2022.test.yaml'), join(ROOT, 'rules/tests/directive-2024.test.yaml')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/directive-2022\.test\.yaml: SUCCESS: 6 test\(s\)\n.*directive-2024\.test\.yaml: SUCCESS: 1 test\(s\)\n$/);
    expect(r.code).toBe(0);
  });

  it('check: a broken file fails with its positioned problems', async () => {
    const f = join(dir, 'bad.rules.yaml');
    await writeFile(f, (await readFile(join(ROOT, 'rules/directive-2022.rules.yaml'), 'utf8')).replace('target: 0.7', 'target: 70%'));
    const r = await runNode(POSTURE_BIN, ['rules', 'check', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${f}: FAILED:\\n  ${f}:\\d+:17: group "directive-2022" rule "systems_classified" field "target": required: a ratio in \\(0, 1\\], e.g. 0.9 for 90%\\n$`));
  });

  it('test: a wrong expectation fails with the expected and actual values', async () => {
    const text = (await readFile(join(ROOT, 'rules/tests/directive-2022.test.yaml'), 'utf8'))
      .replace('[../directive-2022.rules.yaml, ../supporting.rules.yaml]', `[${JSON.stringify(join(ROOT, 'rules/directive-2022.rules.yaml'))}, ${JSON.stringify(join(ROOT, 'rules/supporting.rules.yaml'))}]`)
      .replace('pass: 1, total: 4, ratio: 0.25', 'pass: 2, total: 4, ratio: 0.25');
    const f = join(dir, 'wrong.test.yaml');
    await writeFile(f, text);
    const r = await runNode(POSTURE_BIN, ['rules', 'test', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('at 0m: endpoint_protection unit:TCDBVN: pass expected 2, got 1');
  });

  it('test: a misspelled key fails naming the file, line and key, instead of asserting nothing', async () => {
    const lines = (await readFile(join(ROOT, 'rules/tests/directive-2022.test.yaml'), 'utf8'))
      .replace('[../directive-2022.rules.yaml, ../supporting.rules.yaml]', `[${JSON.stringify(join(ROOT, 'rules/directive-2022.rules.yaml'))}, ${JSON.stringify(join(ROOT, 'rules/supporting.rules.yaml'))}]`)
      .split('\n');
    const at = lines.findIndex((l) => /^\s+expect:/.test(l));
    lines[at] = lines[at]!.replace('expect:', 'expectt:');
    const f = join(dir, 'typo.test.yaml');
    await writeFile(f, lines.join('\n'));
    const r = await runNode(POSTURE_BIN, ['rules', 'test', f]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`${f}:${at + 1}:\\d+: unknown key "expectt" in /tests/\\d+/evals/\\d+; allowed: at, hosts, expect, alerts, alerts_for`));
  });

  it('test: a test case with nothing to assert is an error', async () => {
    const f = join(dir, 'idle.test.yaml');
    await writeFile(f, `rule_files: [${JSON.stringify(join(ROOT, 'rules/directive-2022.rules.yaml'))}]\nunits: [A]\ntests:\n  - name: idle\n    hosts: [{unit: A}]\n    evals:\n      - at: 0m\n`);
    const r = await runNode(POSTURE_BIN, ['rules', 'test', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${f}:4: tests[0] "idle" asserts nothing`);
  });
});
