/**
 * firewall.inbound_default_deny against the real kernel: the test loads nft rulesets into a
 * network namespace of its own (unique name, deleted afterwards) and runs the built agent
 * inside it with `ip netns exec`, so the check reads a live ruleset through the real nft.
 * Needs root, iproute2 and nftables (scripts/install-deps.sh installs them).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '@posture/protocol';

const ROOT = resolve(__dirname, '../../../..');
const NS = `p4fw-${randomBytes(3).toString('hex')}`;
const rules = (name: string) => join(__dirname, 'testdata/nft', `${name}.nft`);
let dir = '';
let made = false;

const ip = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function baselineIn() {
  const out = ip('netns', 'exec', NS, process.execPath, join(ROOT, 'agent/bin/posture-agent.js'), '-c', join(dir, 'agent.yaml'), 'collect', '--once', '--json');
  const b = (JSON.parse(out) as Report).probes.baseline;
  if (!b?.ok) throw new Error(`baseline failed: ${JSON.stringify(b)}`);
  return Object.fromEntries(b.facts.checks.map((c) => [c.id, c]));
}

function firewallCheckIn(ruleset: string) {
  ip('netns', 'exec', NS, 'nft', '-f', rules(ruleset));
  const out = ip('netns', 'exec', NS, process.execPath, join(ROOT, 'agent/bin/posture-agent.js'), '-c', join(dir, 'agent.yaml'), 'collect', '--once', '--json');
  const b = (JSON.parse(out) as Report).probes.baseline;
  if (!b?.ok) throw new Error(`baseline failed: ${JSON.stringify(b)}`);
  return b.facts.checks.find((c) => c.id === 'firewall.inbound_default_deny')!;
}

beforeAll(() => {
  if (!existsSync(join(ROOT, 'agent/dist/cli.js'))) throw new Error('agent/dist missing: run `npx tsc -b protocol agent` (npm test does) before this test');
  execFileSync('nft', ['--version']); // fails loudly when nftables is not installed
  dir = mkdtempSync(join(tmpdir(), 'p4-fw-'));
  writeFileSync(join(dir, 'agent.yaml'), `unit: test-unit\nstateDir: ${join(dir, 'state')}\nprobes:\n  disabled: [protection, ipv6]\n`);
  ip('netns', 'add', NS);
  made = true;
});

afterAll(() => {
  if (made) ip('netns', 'del', NS);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('firewall check on live nft rulesets', () => {
  it('a ruleset that accepts by default fails', () => {
    expect(firewallCheckIn('accept-all')).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/^nftables: no input chain with policy drop/) });
  });
  it('an IPv4-only drop policy fails for IPv6', () => {
    expect(firewallCheckIn('ipv4-only-drop')).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/IPv4 inbound denied .*no IPv6 input chain/) });
  });
  it('policy drop shadowed by a final unconditional accept fails', () => {
    expect(firewallCheckIn('final-accept')).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/drop policy is not enforced: .*"counter accept" accepts every packet/) });
  });
  it('policy drop shadowed by a jump to an accept-all chain fails', () => {
    expect(firewallCheckIn('jump-accept')).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/jump allow_all/) });
  });
  it('a dormant table with policy drop fails (its chains are not in the kernel)', () => {
    expect(firewallCheckIn('dormant')).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/table is dormant/) });
  });
  it('an accepting chain beside a dropping one on the same hook passes: both must accept', () => {
    expect(firewallCheckIn('two-chains')).toMatchObject({ result: 'pass', evidence: expect.stringMatching(/inet strict chain input: policy drop/) });
  });
  it('an inet table with policy drop passes', () => {
    expect(firewallCheckIn('default-drop')).toMatchObject({ result: 'pass', level: 1, evidence: 'nftables: inet filter chain input: policy drop' });
  });
});

describe('network sysctls are per namespace: the check reads the kernel of the agent', () => {
  it('forwarding turned on in the namespace (nothing in /etc/sysctl.d says so) fails there', () => {
    ip('netns', 'exec', NS, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    expect(baselineIn()['kernel.ip_forward']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/net.ipv4.ip_forward=1 \(not persisted\)/) });
    ip('netns', 'exec', NS, 'sysctl', '-qw', 'net.ipv4.ip_forward=0');
    expect(baselineIn()['kernel.ip_forward']!.result).toBe('pass');
  });
});
