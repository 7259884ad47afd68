/** Human-readable view of a report for `posture-agent collect --once`: what and why. */
import { profiles } from './probes/baseline/profile.js';
import type { Report } from '@posture/protocol';

export function summarize(r: Report): string {
  const out: string[] = [`report ${r.reportId} at ${r.collectedAt} (agent ${r.agentId}, ${r.agent.collectMs} ms)`];
  for (const [name, res] of Object.entries(r.probes)) {
    if (!res) continue;
    if (!res.ok) {
      out.push(`\n[${name}] ERROR ${res.error.code}: ${res.error.message} (${res.durationMs} ms)`);
      continue;
    }
    out.push(`\n[${name}] ok (${res.durationMs} ms)`);
    const f = res.facts as Record<string, unknown>;
    if (name === 'host') {
      const h = (r.probes.host as Extract<Report['probes']['host'], { ok: true }>).facts;
      out.push(`  ${h.hostname} ${h.os.distro} ${h.os.release} kernel ${h.os.kernel} ${h.os.arch}; role ${h.role} (${h.roleSource}); ips ${h.ips.join(', ') || '-'}`);
    } else if (name === 'membership') {
      out.push(`  unit ${String(f.unit)}; systems ${(f.systems as string[]).join(', ') || '-'}`);
    } else if (name === 'protection') {
      const p = r.probes.protection;
      if (p?.ok) {
        out.push(`  protected: ${p.facts.protected ? 'YES' : 'NO'} (signature limit ${p.facts.maxSignatureAgeHours} h)`);
        for (const why of p.facts.reasons) out.push(`  - ${why}`);
        for (const prod of p.facts.products) {
          out.push(`  * ${prod.name} ${prod.version ?? '?'}: installed=${prod.installed} running=${prod.running} realTime=${prod.realTime} signatures=${prod.signatureDate ?? '?'} (${prod.signatureAgeHours ?? '?'} h)`);
          for (const e of prod.evidence) out.push(`      evidence: ${e}`);
          for (const u of prod.unknown) out.push(`      unknown ${u.field}: ${u.reason}`);
        }
      }
    } else if (name === 'ipv6') {
      const v = r.probes.ipv6;
      if (v?.ok) {
        const g = v.facts.addresses.filter((a) => a.scope === 'global').map((a) => a.address);
        out.push(`  readiness: ${v.facts.readiness}; enabled=${v.facts.enabled}; global ${g.join(', ') || '-'}; default route ${v.facts.defaultRoute}; ${v.facts.listeners.length} listeners`);
        for (const why of v.facts.reasons) out.push(`  - not next level: ${why}`);
      }
    } else if (name === 'baseline') {
      const b = r.probes.baseline;
      if (b?.ok) {
        for (const c of b.facts.checks) {
          const levels = c.byLevel ? ` [${c.byLevel.map((x) => `L${x.level} ${x.result} (>= ${x.threshold})`).join(', ')}]` : '';
          out.push(`  ${c.result.toUpperCase().padEnd(7)} L${c.level} ${c.id}: ${c.title.en}${levels} — ${c.evidence}`);
        }
        // Per level: what a system of that level needs from this host, and what is missing.
        out.push('  by security level (a level requires every check at or below it):');
        for (const p of profiles(b.facts.checks)) {
          const missing = [...p.failed, ...p.unknown.map((id) => `${id}?`)];
          out.push(`    level ${p.level}: ${p.passed.length}/${p.required} pass${missing.length ? `; missing: ${missing.join(', ')}` : ''}`);
        }
      }
    }
  }
  return out.join('\n');
}
