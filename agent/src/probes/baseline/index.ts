/**
 * baseline: host hardening checks that grow with the security level (TCVN 11930:2017). Each
 * family file reads one area and says pass/fail/unknown with evidence; the mapping file
 * (mapping.yaml, overridable with baseline.mappingFile) gives each check its title, lowest
 * level and source. A family that throws turns its own checks to unknown; the rest still go.
 */
import type { BaselineCheck, BaselineFacts, HostRole } from '@posture/protocol';
import type { Probe } from '../../probe.js';
import { linuxProcessNames } from '../common/processes.js';
import type { BaselineContext, CheckFamily, CheckOutcome } from './check.js';
import { unknown } from './check.js';
import { applyOverride, builtinMapping, MappingError, type Mapping } from './mapping.js';
import { firewallFamily } from './firewall.js';
import { timeFamily } from './time.js';
import { loggingFamily, windowsEventLogFamily } from './logging.js';
import { logRetentionFamily } from './log-retention.js';
import { updatesFamily } from './updates.js';
import { sshFamily } from './ssh.js';
import { rdpFamily } from './rdp.js';
import { passwordFamily } from './password.js';
import { encryptionFamily } from './encryption.js';
import { protectionFamily } from './protection.js';
import { sysctlFamily } from './sysctl.js';
import { accountsFamily } from './accounts.js';
import { filesFamily } from './files.js';
import { hostServicesFamily } from './host-services.js';
import { auditFamily } from './audit.js';
import { packagesFamily } from './packages.js';
import { monitoringFamily } from './monitoring.js';
import { tlsFamily } from './tls.js';
import { windowsPolicyFamily } from './windows-policy.js';
import { levelResults, reasonFor } from './profile.js';

/** One line per family, in report order. */
export const families: readonly CheckFamily[] = [
  firewallFamily,
  timeFamily,
  loggingFamily,
  logRetentionFamily,
  updatesFamily,
  sshFamily,
  rdpFamily,
  passwordFamily,
  encryptionFamily,
  protectionFamily,
  sysctlFamily,
  accountsFamily,
  filesFamily,
  hostServicesFamily,
  auditFamily,
  packagesFamily,
  monitoringFamily,
  tlsFamily,
  windowsPolicyFamily,
  windowsEventLogFamily,
];

/** The built-in mapping, with the override file applied when configured and valid. */
export async function resolveMapping(readFile: (p: string) => Promise<string | null>, file: string | undefined): Promise<{ mapping: Mapping; info: NonNullable<BaselineFacts['mapping']> }> {
  const base = builtinMapping();
  if (!file) return { mapping: base, info: { source: 'built-in', legalBasis: base.legalBasis, error: null } };
  const text = await readFile(file);
  const keepBuiltin = (error: string) => ({ mapping: base, info: { source: 'built-in', legalBasis: base.legalBasis, error: error.slice(0, 2048) } });
  if (text === null) return keepBuiltin(`${file}: cannot read baseline.mappingFile; the built-in mapping was used`);
  try {
    const mapping = applyOverride(base, text, file);
    return { mapping, info: { source: file.slice(0, 1024), legalBasis: mapping.legalBasis, error: null } };
  } catch (e) {
    if (e instanceof MappingError) return keepBuiltin(`${e.message}\n(the built-in mapping was used)`);
    throw e;
  }
}

export async function runFamily(f: CheckFamily, ctx: BaselineContext): Promise<CheckOutcome[]> {
  // Checks that do not apply to this role are not reported: a family with none left does not run.
  const ids = f.ids.filter((id) => ctx.applies(id));
  if (!ids.length) return [];
  let got: CheckOutcome[];
  try {
    got = await f.run(ctx);
  } catch (e) {
    return ids.map((id) => unknown(id, `${f.name} checks failed: ${(e as Error).message}`));
  }
  // A family must answer for each of its ids; silence is unknown, not pass.
  return ids.map((id) => got.find((o) => o.id === id) ?? unknown(id, `${f.name} did not report this check`));
}

export const baselineProbe: Probe<'baseline'> = {
  name: 'baseline',
  description: 'host hardening checks by security level (firewall, time, logs, updates, SSH/RDP, passwords, disk encryption, protection)',
  timeoutMs: 30_000,
  async collect({ system, config, earlier, cycle }) {
    const { mapping, info } = await resolveMapping((p) => system.readFile(p), config.baseline?.mappingFile);
    const role: HostRole = earlier.host?.role ?? config.role ?? (system.platform === 'win32' ? 'workstation' : 'server');
    const ctx: BaselineContext = {
      system,
      config,
      earlier,
      role,
      applies(id) {
        const roles = mapping.checks.get(id)?.roles;
        return !roles || roles.includes(role);
      },
      processes: system.platform === 'linux' ? await linuxProcessNames(system, cycle) : new Set(),
      param(id, key) {
        const entry = mapping.checks.get(id);
        const v = entry?.params?.[key];
        if (typeof v !== 'number') throw new Error(`the baseline mapping has no params.${key} for ${id}: add it to the mapping file`);
        return v;
      },
      thresholds(id) {
        return Object.values(mapping.checks.get(id)?.minByLevel ?? {}).sort((a, b) => a - b);
      },
    };
    const applicable = families.filter((f) => f.platforms.includes(system.platform));
    const outcomes = (await Promise.all(applicable.map((f) => runFamily(f, ctx)))).flat();
    const byId = new Map(outcomes.map((o) => [o.id, o]));
    const checks: BaselineCheck[] = [];
    for (const [id, entry] of mapping.checks) {
      const o = byId.get(id);
      if (!o || (entry.roles && !entry.roles.includes(role))) continue;
      const byLevel = levelResults(entry, o);
      const result = byLevel?.[0]?.result ?? o.result;
      const reasonCode = reasonFor(id, result, o);
      checks.push({
        id,
        title: entry.title,
        level: entry.level,
        result,
        evidence: o.evidence,
        ...(reasonCode ? { reasonCode } : {}),
        clause: entry.clause,
        judgement: entry.judgement,
        ...(entry.remediation ? { remediation: entry.remediation } : {}),
        ...(o.value !== undefined ? { value: o.value } : {}),
        ...(byLevel ? { byLevel } : {}),
      });
    }
    return { checks: checks.slice(0, 128), mapping: info };
  },
};
