/**
 * firewall.inbound_default_deny: a host firewall is active and drops inbound traffic that no
 * rule allows, for IPv4 and IPv6. Linux: ufw and firewalld (front-ends, read first for clear
 * evidence), then the kernel ruleset itself through `nft -j list ruleset` or `iptables -S`.
 * Windows: every Get-NetFirewallProfile profile enabled with DefaultInboundAction Block.
 */
import type { SystemReader } from '../../system.js';
import type { CheckFamily, CheckOutcome } from './check.js';
import { fail, okOut, pass, unknown, whyFailed } from './check.js';
import { jsonRows, powershell } from '../common/powershell.js';

const ID = 'firewall.inbound_default_deny';

interface NftChain { family: string; table: string; name: string; hook?: string; policy?: string }
interface NftRule { family: string; table: string; chain: string; expr?: Record<string, unknown>[] }

/** Statements that do not match packets: a rule made only of these applies to every packet. */
const NON_MATCHING = new Set(['counter', 'log', 'limit', 'drop', 'reject']);

/**
 * From `nft -j list ruleset`: which families (ipv4, ipv6) have an input base chain that ends
 * in a drop (policy drop, or a last rule that drops or rejects every packet).
 */
export function nftInboundDeny(json: string): { v4: string[]; v6: string[] } {
  const items = (JSON.parse(json) as { nftables?: Record<string, unknown>[] }).nftables ?? [];
  const chains = items.flatMap((i) => (i.chain ? [i.chain as NftChain] : []));
  const rules = items.flatMap((i) => (i.rule ? [i.rule as NftRule] : []));
  const out = { v4: [] as string[], v6: [] as string[] };
  for (const c of chains.filter((c) => c.hook === 'input')) {
    const own = rules.filter((r) => r.family === c.family && r.table === c.table && r.chain === c.name);
    const last = own.at(-1)?.expr ?? [];
    const finalDrop = last.length > 0 && last.every((e) => Object.keys(e).every((k) => NON_MATCHING.has(k))) && last.some((e) => 'drop' in e || 'reject' in e);
    if (c.policy !== 'drop' && !finalDrop) continue;
    const what = `${c.family} ${c.table} chain ${c.name}: ${c.policy === 'drop' ? 'policy drop' : 'last rule drops/rejects all'}`;
    if (c.family === 'inet' || c.family === 'ip') out.v4.push(what);
    if (c.family === 'inet' || c.family === 'ip6') out.v6.push(what);
  }
  return out;
}

/** From `iptables -S INPUT`: default policy DROP, or a last rule that drops everything. */
export function iptablesDeny(text: string): string | null {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  if (lines.some((l) => /^-P INPUT DROP$/.test(l))) return '-P INPUT DROP';
  const last = lines.filter((l) => l.startsWith('-A INPUT')).at(-1);
  return last && /^-A INPUT -j (DROP|REJECT)( --reject-with \S+)?$/.test(last) ? last : null;
}

async function ufw(system: SystemReader): Promise<CheckOutcome | null> {
  const out = okOut(await system.run('ufw', ['status', 'verbose']));
  if (!out || !/^Status: active/m.test(out)) return null; // inactive ufw: the kernel ruleset decides
  const dflt = out.match(/^Default: (.*)$/m)?.[1] ?? '';
  const ev = `ufw active; Default: ${dflt || '?'}`;
  return /\b(deny|reject) \(incoming\)/.test(dflt) ? pass(ID, ev) : fail(ID, `${ev}: set \`ufw default deny incoming\``);
}

async function firewalld(system: SystemReader): Promise<CheckOutcome | null> {
  const state = okOut(await system.run('firewall-cmd', ['--state']));
  if (state?.trim() !== 'running') return null;
  const zone = okOut(await system.run('firewall-cmd', ['--get-default-zone']))?.trim();
  if (!zone) return unknown(ID, 'firewalld running, default zone unreadable');
  // --get-target is permanent-only before firewalld 1.x ("[P only]"); runtime rarely differs.
  const target = okOut(await system.run('firewall-cmd', ['--permanent', `--zone=${zone}`, '--get-target']))?.trim() ?? '?';
  // "default" rejects what the zone does not allow; ACCEPT lets everything in.
  const ev = `firewalld running; default zone ${zone}, target ${target}`;
  return ['default', 'DROP', 'REJECT', '%%REJECT%%'].includes(target) ? pass(ID, ev) : fail(ID, `${ev}: the default zone accepts all inbound traffic`);
}

async function linux(system: SystemReader): Promise<CheckOutcome> {
  const front = (await ufw(system)) ?? (await firewalld(system));
  if (front) return front;
  const nft = await system.run('nft', ['-j', 'list', 'ruleset']);
  const nftOut = okOut(nft);
  if (nftOut !== null) {
    let deny: { v4: string[]; v6: string[] };
    try {
      deny = nftInboundDeny(nftOut);
    } catch (e) {
      return unknown(ID, `nft -j list ruleset: unreadable JSON (${(e as Error).message})`);
    }
    if (deny.v4.length && deny.v6.length) return pass(ID, `nftables: ${[...new Set([...deny.v4, ...deny.v6])].join('; ')}`);
    if (deny.v4.length) return fail(ID, `nftables: IPv4 inbound denied (${deny.v4.join('; ')}) but no IPv6 input chain drops by default: use an inet table`);
    if (deny.v6.length) return fail(ID, `nftables: IPv6 inbound denied (${deny.v6.join('; ')}) but IPv4 is not`);
    // An empty nft ruleset may still hold legacy iptables rules: look there before failing.
  }
  const [v4, v6] = await Promise.all([system.run('iptables', ['-S', 'INPUT']), system.run('ip6tables', ['-S', 'INPUT'])]);
  const v4Out = okOut(v4);
  if (v4Out !== null) {
    const d4 = iptablesDeny(v4Out);
    const v6Out = okOut(v6);
    const d6 = v6Out === null ? null : iptablesDeny(v6Out);
    if (d4 && d6) return pass(ID, `iptables: ${d4}; ip6tables: ${d6}`);
    if (d4) return fail(ID, `iptables: ${d4}, but IPv6 inbound is not denied (${v6Out === null ? whyFailed('ip6tables -S INPUT', v6) : 'ip6tables INPUT accepts by default'})`);
    if (nftOut === null) return fail(ID, 'iptables INPUT chain accepts by default (no "-P INPUT DROP" nor final DROP rule)');
  }
  if (nftOut !== null) return fail(ID, 'nftables: no input chain with policy drop or a final drop rule (ruleset empty or accepting)');
  if (nft.kind === 'not-found' && v4.kind === 'not-found') {
    return fail(ID, 'no firewall found: nft, iptables, ufw and firewall-cmd are not installed');
  }
  return unknown(ID, `firewall state unreadable: ${whyFailed('nft -j list ruleset', nft)}; ${whyFailed('iptables -S INPUT', v4)}`);
}

export const WINDOWS_FIREWALL = 'Get-NetFirewallProfile | Select-Object Name,Enabled,DefaultInboundAction | ConvertTo-Json';

/** NetFirewallProfile: Enabled is GpoBoolean (0 False, 1 True, 2 NotConfigured); Action 0 NotConfigured, 2 Allow, 4 Block. */
export function windowsProfiles(json: string): CheckOutcome {
  const rows = jsonRows(json, 'Get-NetFirewallProfile');
  if (!rows.length) return unknown(ID, 'Get-NetFirewallProfile returned no profile');
  const name = (v: unknown, names: Record<number, string>) => (typeof v === 'number' ? names[v] ?? String(v) : String(v));
  const desc = rows.map((r) => ({
    profile: String(r.Name),
    enabled: name(r.Enabled, { 0: 'False', 1: 'True', 2: 'NotConfigured' }),
    inbound: name(r.DefaultInboundAction, { 0: 'NotConfigured', 2: 'Allow', 4: 'Block' }),
  }));
  const ev = desc.map((d) => `${d.profile}: enabled=${d.enabled} inbound=${d.inbound}`).join('; ');
  // NotConfigured inbound falls back to the built-in default, which is Block.
  const bad = desc.filter((d) => !/^(True|NotConfigured)$/.test(d.enabled) || d.inbound === 'Allow');
  return bad.length ? fail(ID, `Windows Firewall: ${ev}; fix: ${bad.map((d) => d.profile).join(', ')}`) : pass(ID, `Windows Firewall: ${ev}`);
}

export const firewallFamily: CheckFamily = {
  name: 'firewall',
  ids: [ID],
  platforms: ['linux', 'win32'],
  async run({ system }) {
    if (system.platform !== 'win32') return [await linux(system)];
    const r = await powershell(system, WINDOWS_FIREWALL);
    const out = okOut(r);
    return [out === null ? unknown(ID, whyFailed('Get-NetFirewallProfile', r)) : windowsProfiles(out)];
  },
};
