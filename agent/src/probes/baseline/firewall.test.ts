/**
 * firewall.inbound_default_deny against nft rulesets recorded with the real nft (nftables
 * 1.0.6, Debian 12: testdata/nft/<name>.nft loaded in a scratch network namespace, then
 * `nft -j list ruleset` saved as <name>.json), iptables -S outputs, ufw/firewalld states and
 * Get-NetFirewallProfile JSON (property names and enum values from Microsoft's NetSecurity docs).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { baselineContext } from '../../../../testing/baseline-context.js';
import { firewallFamily, nftInboundDeny, WINDOWS_FIREWALL } from './firewall.js';

const nft = (name: string) => readFileSync(new URL(`./testdata/nft/${name}.json`, import.meta.url), 'utf8');
const run = async (commands: Record<string, string | { kind: 'ok'; code: number; stdout: string; stderr: string } | { kind: 'not-found' }>, platform: NodeJS.Platform = 'linux') =>
  (await firewallFamily.run(baselineContext({ platform, commands })))[0]!;
const PS = 'powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command';

describe('nft rulesets (recorded)', () => {
  it.each([
    ['default-drop', 'pass', /inet filter chain input: policy drop/],
    ['final-reject', 'pass', /inet firewalld chain filter_INPUT: last rule drops\/rejects all/],
    ['ipv4-only-drop', 'fail', /IPv4 inbound denied .* no IPv6 input chain drops/],
    ['accept-all', 'fail', /no input chain with policy drop/],
    // Traps: each has `policy drop` on its input chain, and none denies anything by default.
    ['final-accept', 'fail', /a drop policy is not enforced: inet filter chain input: rule "counter accept" accepts every packet before the policy/],
    ['jump-accept', 'fail', /not enforced: inet filter chain input: jump allow_all: rule "counter accept" accepts every packet/],
    ['any-source-accept', 'fail', /rule "match accept" accepts every packet/],
    // Two base chains on the input hook: a packet must pass both, so the strict one decides.
    ['two-chains', 'pass', /inet strict chain input: policy drop/],
    ['empty', 'fail', /no input chain with policy drop/],
  ])('%s -> %s', async (name, result, evidence) => {
    const o = await run({ 'nft -j list ruleset': nft(name) });
    expect(o).toMatchObject({ id: 'firewall.inbound_default_deny', result });
    expect(o.evidence).toMatch(evidence);
  });

  it('reads families of input chains', () => {
    expect(nftInboundDeny(nft('ipv4-only-drop'))).toEqual({ v4: ['ip filter chain input: policy drop'], v6: [], shadowed: [] });
    expect(() => nftInboundDeny('not json')).toThrow();
  });
});

describe('iptables, ufw, firewalld, nothing', () => {
  const ok = (stdout: string, code = 0) => ({ kind: 'ok' as const, code, stdout, stderr: '' });
  it.each([
    ['iptables and ip6tables policy DROP', { 'iptables -S INPUT': '-P INPUT DROP\n-A INPUT -i lo -j ACCEPT\n', 'ip6tables -S INPUT': '-P INPUT DROP\n' }, 'pass', /iptables: -P INPUT DROP; ip6tables: -P INPUT DROP/],
    ['final REJECT rule', { 'iptables -S INPUT': '-P INPUT ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -j REJECT --reject-with icmp-host-prohibited\n', 'ip6tables -S INPUT': '-P INPUT DROP\n' }, 'pass', /-A INPUT -j REJECT/],
    ['IPv4 only', { 'iptables -S INPUT': '-P INPUT DROP\n', 'ip6tables -S INPUT': '-P INPUT ACCEPT\n' }, 'fail', /IPv6 inbound is not denied/],
    ['iptables accepting', { 'iptables -S INPUT': '-P INPUT ACCEPT\n-A INPUT -p tcp --dport 23 -j DROP\n', 'ip6tables -S INPUT': '-P INPUT ACCEPT\n' }, 'fail', /accepts by default/],
    ['empty nft falls back to legacy iptables', { 'nft -j list ruleset': nft('empty'), 'iptables -S INPUT': '-P INPUT DROP\n', 'ip6tables -S INPUT': '-P INPUT DROP\n' }, 'pass', /iptables/],
    ['ufw active, deny incoming', { 'ufw status verbose': 'Status: active\nLogging: on (low)\nDefault: deny (incoming), allow (outgoing), disabled (routed)\n' }, 'pass', /ufw active; Default: deny \(incoming\)/],
    ['ufw active, allow incoming', { 'ufw status verbose': 'Status: active\nDefault: allow (incoming), allow (outgoing), disabled (routed)\n' }, 'fail', /ufw default deny incoming/],
    ['ufw inactive, nft decides', { 'ufw status verbose': 'Status: inactive\n', 'nft -j list ruleset': nft('default-drop') }, 'pass', /nftables/],
    ['firewalld public zone', { 'firewall-cmd --state': 'running\n', 'firewall-cmd --get-default-zone': 'public\n', 'firewall-cmd --permanent --zone=public --get-target': 'default\n' }, 'pass', /default zone public, target default/],
    ['firewalld trusted zone', { 'firewall-cmd --state': 'running\n', 'firewall-cmd --get-default-zone': 'trusted\n', 'firewall-cmd --permanent --zone=trusted --get-target': 'ACCEPT\n' }, 'fail', /accepts all inbound/],
    [
      'nft without root',
      { 'nft -j list ruleset': ok('', 1), 'iptables -S INPUT': { kind: 'ok', code: 4, stdout: '', stderr: 'iptables v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)\n' } },
      'unknown',
      /run the agent as root/,
    ],
    ['no firewall tool at all', {}, 'fail', /no firewall found/],
    [
      'ufw says active over an accepting kernel ruleset',
      { 'nft -j list ruleset': nft('accept-all'), 'ufw status verbose': 'Status: active\nDefault: deny (incoming), allow (outgoing), disabled (routed)\n' },
      'fail',
      /yet ufw active; Default: deny \(incoming\).*: the front-end's rules are not loaded/,
    ],
    ['dormant table (nft 1.0.6 garbles flags in JSON: the text listing tells)', { 'nft -j list ruleset': nft('dormant'), 'nft list table inet filter': 'table inet filter {\n\tflags dormant\n\tchain input {\n' }, 'fail', /table is dormant/],
  ] as const)('%s', async (_name, commands, result, evidence) => {
    const o = await run(commands);
    expect(o.result).toBe(result);
    expect(o.evidence).toMatch(evidence);
  });
});

describe('Windows Firewall profiles', () => {
  const profiles = (domain: object) =>
    JSON.stringify([
      { Name: 'Domain', Enabled: 1, DefaultInboundAction: 0, ...domain },
      { Name: 'Private', Enabled: 1, DefaultInboundAction: 4 },
      { Name: 'Public', Enabled: 1, DefaultInboundAction: 4 },
    ]);
  it.each([
    ['all enabled, block (NotConfigured = Block)', profiles({}), 'pass', /Domain: enabled=True inbound=NotConfigured/],
    ['Domain profile off', profiles({ Enabled: 0 }), 'fail', /fix: Domain/],
    ['Domain profile allows inbound (PowerShell 7 enum names)', profiles({ Enabled: 'True', DefaultInboundAction: 'Allow' }), 'fail', /Domain: enabled=True inbound=Allow/],
  ])('%s', async (_n, json, result, evidence) => {
    const o = await run({ [`${PS} ${WINDOWS_FIREWALL}`]: json }, 'win32');
    expect(o.result).toBe(result);
    expect(o.evidence).toMatch(evidence);
  });
});
