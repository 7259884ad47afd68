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

interface NftChain {
  family: string;
  table: string;
  name: string;
  type?: string;
  hook?: string;
  prio?: number;
  policy?: string;
}
interface NftRule {
  family: string;
  table: string;
  chain: string;
  expr?: Record<string, unknown>[];
}
interface NftTable {
  family: string;
  name: string;
  flags?: unknown;
}

/** Statements that never make a rule skip a packet (a rule of only these matches everything). */
const ALWAYS = new Set(['counter', 'log', 'comment', 'notrack']);
const VERDICTS = ['accept', 'drop', 'reject', 'jump', 'goto', 'return'] as const;
type Verdict = 'accept' | 'deny' | 'none';

/** A match that every packet of the family satisfies: `ip saddr 0.0.0.0/0`, `ip6 daddr ::/0`. */
function matchesAll(e: Record<string, unknown>): boolean {
  const m = e.match as { op?: string; right?: { prefix?: { len?: number } } } | undefined;
  return !!m && (m.op === '==' || m.op === 'in') && m.right?.prefix?.len === 0;
}

/**
 * The verdict a chain gives to a packet that none of its conditional rules matched, as the
 * kernel walks it: the first rule that matches every packet decides (accept, drop/reject, or
 * the verdict of the chain it jumps to); past the end, a base chain's policy applies.
 */
function defaultVerdict(chain: NftChain, rulesOf: (c: string) => NftRule[], depth = 0): { verdict: Verdict; why: string } {
  for (const r of rulesOf(chain.name)) {
    const expr = r.expr ?? [];
    const verdict = expr.find((e) => VERDICTS.some((v) => v in e));
    if (!verdict) continue;
    const conditions = expr.filter((e) => e !== verdict && !ALWAYS.has(Object.keys(e)[0]!));
    if (conditions.some((e) => !matchesAll(e))) continue;
    if ('accept' in verdict) return { verdict: 'accept', why: `rule "${describe(expr)}" accepts every packet before the policy` };
    if ('drop' in verdict || 'reject' in verdict) return { verdict: 'deny', why: 'last rule drops/rejects all' };
    if ('return' in verdict) return { verdict: 'none', why: 'returns' };
    const target = ((verdict.jump ?? verdict.goto) as { target?: string } | undefined)?.target;
    if (target && depth < 8) {
      const sub = defaultVerdict({ ...chain, name: target, policy: undefined }, rulesOf, depth + 1);
      if (sub.verdict !== 'none') return { verdict: sub.verdict, why: `jump ${target}: ${sub.why}` };
      if ('goto' in verdict) break;
    }
  }
  if (chain.policy === 'drop') return { verdict: 'deny', why: 'policy drop' };
  return { verdict: chain.policy === 'accept' ? 'accept' : 'none', why: `policy ${chain.policy ?? 'accept'}` };
}

function describe(expr: Record<string, unknown>[]): string {
  return expr.map((e) => Object.keys(e)[0]).join(' ');
}

/**
 * From `nft -j list ruleset`: which families (ipv4, ipv6) have an input filter base chain whose
 * default verdict, evaluated as the kernel does, is drop. Every base chain on a hook must accept
 * a packet, so one denying chain is enough; a chain whose policy drop is shadowed by an
 * unconditional accept (or a jump to one) does not deny. Tables in `dormant` carry no rules in
 * the kernel: their names are passed in `dormant` (nft 1.0.6's JSON garbles table flags).
 */
export function nftInboundDeny(json: string, dormant: ReadonlySet<string> = new Set()): { v4: string[]; v6: string[]; shadowed: string[] } {
  const items = (JSON.parse(json) as { nftables?: Record<string, unknown>[] }).nftables ?? [];
  const chains = items.flatMap((i) => (i.chain ? [i.chain as NftChain] : []));
  const rules = items.flatMap((i) => (i.rule ? [i.rule as NftRule] : []));
  const out = { v4: [] as string[], v6: [] as string[], shadowed: [] as string[] };
  for (const c of chains.filter((c) => c.hook === 'input' && (c.type ?? 'filter') === 'filter')) {
    if (dormant.has(`${c.family} ${c.table}`)) {
      out.shadowed.push(`${c.family} ${c.table}: table is dormant (flags dormant), its chains are not in the kernel`);
      continue;
    }
    const rulesOf = (name: string) => rules.filter((r) => r.family === c.family && r.table === c.table && r.chain === name);
    const { verdict, why } = defaultVerdict(c, rulesOf);
    const what = `${c.family} ${c.table} chain ${c.name}: ${why}`;
    if (verdict !== 'deny') {
      if (c.policy === 'drop') out.shadowed.push(what);
      continue;
    }
    if (c.family === 'inet' || c.family === 'ip') out.v4.push(what);
    if (c.family === 'inet' || c.family === 'ip6') out.v6.push(what);
  }
  return out;
}

/** Tables of a JSON ruleset that carry a flags field (then the text listing tells which). */
export function flaggedTables(json: string): NftTable[] {
  const items = (JSON.parse(json) as { nftables?: Record<string, unknown>[] }).nftables ?? [];
  return items.flatMap((i) => (i.table && (i.table as NftTable).flags !== undefined ? [i.table as NftTable] : []));
}

/** From `iptables -S INPUT`: default policy DROP, or a last rule that drops everything. */
export function iptablesDeny(text: string): string | null {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
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

/**
 * The kernel's ruleset decides (nft, else iptables); ufw and firewalld are front-ends whose own
 * status can claim "active" over a flushed ruleset, so they are read only when the kernel's
 * ruleset cannot be, and named in the evidence when they disagree with it.
 */
async function linux(system: SystemReader): Promise<CheckOutcome> {
  const kernel = await linuxKernel(system);
  if (kernel && kernel.result !== 'unknown') {
    if (kernel.result === 'pass') return kernel;
    const front = (await ufw(system)) ?? (await firewalld(system));
    return front?.result === 'pass' ? fail(ID, `${kernel.evidence}; yet ${front.evidence}: the front-end's rules are not loaded in the kernel (reload it)`) : kernel;
  }
  return (await ufw(system)) ?? (await firewalld(system)) ?? kernel ?? fail(ID, 'no firewall found: nft and iptables are not installed, no ufw or firewalld active');
}

/** The kernel ruleset's verdict, or null when no ruleset tool is installed. */
async function linuxKernel(system: SystemReader): Promise<CheckOutcome | null> {
  const nft = await system.run('nft', ['-j', 'list', 'ruleset']);
  const nftOut = okOut(nft);
  if (nftOut !== null) {
    let deny: { v4: string[]; v6: string[]; shadowed: string[] };
    try {
      const dormant = new Set<string>();
      for (const t of flaggedTables(nftOut)) {
        const text = okOut(await system.run('nft', ['list', 'table', t.family, t.name]));
        if (text === null || /^\s*flags\s+.*\bdormant\b/m.test(text)) dormant.add(`${t.family} ${t.name}`);
      }
      deny = nftInboundDeny(nftOut, dormant);
    } catch (e) {
      return unknown(ID, `nft -j list ruleset: unreadable JSON (${(e as Error).message})`);
    }
    const shadowed = deny.shadowed.length ? `; not enforced: ${deny.shadowed.join('; ')}` : '';
    if (deny.v4.length && deny.v6.length) return pass(ID, `nftables: ${[...new Set([...deny.v4, ...deny.v6])].join('; ')}${shadowed}`);
    if (deny.v4.length) return fail(ID, `nftables: IPv4 inbound denied (${deny.v4.join('; ')}) but no IPv6 input chain drops by default: use an inet table${shadowed}`);
    if (deny.v6.length) return fail(ID, `nftables: IPv6 inbound denied (${deny.v6.join('; ')}) but IPv4 is not${shadowed}`);
    if (deny.shadowed.length) return fail(ID, `nftables: a drop policy is not enforced: ${deny.shadowed.join('; ')}; remove the unconditional accept (or the dormant flag)`);
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
    return null;
  }
  return unknown(ID, `firewall state unreadable: ${whyFailed('nft -j list ruleset', nft)}; ${whyFailed('iptables -S INPUT', v4)}`);
}

/**
 * ActiveStore: the policy in force (local settings merged with Group Policy); without it,
 * Get-NetFirewallProfile reads the persistent local store, which a GPO can override.
 */
export const WINDOWS_FIREWALL = 'Get-NetFirewallProfile -PolicyStore ActiveStore | Select-Object Name,Enabled,DefaultInboundAction | ConvertTo-Json';

/** NetFirewallProfile: Enabled is GpoBoolean (0 False, 1 True, 2 NotConfigured); Action 0 NotConfigured, 2 Allow, 4 Block. */
export function windowsProfiles(json: string): CheckOutcome {
  const rows = jsonRows(json, 'Get-NetFirewallProfile');
  if (!rows.length) return unknown(ID, 'Get-NetFirewallProfile returned no profile');
  const name = (v: unknown, names: Record<number, string>) => (typeof v === 'number' ? (names[v] ?? String(v)) : String(v));
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
