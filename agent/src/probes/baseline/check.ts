/**
 * The contract of a baseline check family (firewall, time, ssh...): it declares the check ids
 * it can produce and returns one outcome per id. The probe adds title and level from the
 * mapping file, so the code says only what was observed.
 */
import type { CheckResult, HostRole, Ipv6Facts } from '@posture/protocol';
import type { AgentConfig } from '../../config.js';
import type { ProbeContext } from '../../probe.js';
import type { CommandResult, SystemReader } from '../../system.js';
import type { PeerCertificateReader } from './tls.js';

export interface BaselineContext {
  readonly system: SystemReader;
  readonly config: AgentConfig;
  readonly earlier: ProbeContext['earlier'];
  /** Names of running processes (Linux: /proc/<pid>/comm). */
  readonly processes: ReadonlySet<string>;
  readonly role: HostRole;
  /**
   * Whether a check applies to this host's role (the mapping's `roles`): a check that does not
   * is not reported, so its family need not read anything for it (no `lsblk` on a server).
   */
  applies(id: string): boolean;
  /** A numeric parameter of a check from the mapping file (e.g. password.min_length minLength). */
  param(id: string, key: string): number;
  /** The per-level minima of a check (mapping minByLevel), ascending; empty when it has none. */
  thresholds?(id: string): number[];
  /** TLS handshake used by tls.certificates_valid (tests replay certificates); default: a real one. */
  readonly peerCertificate?: PeerCertificateReader;
}

export interface CheckOutcome {
  id: string;
  result: CheckResult;
  /** What was read and what it means; the sysadmin's starting point to fix a failure. */
  evidence: string;
  /** A measured quantity that per-level thresholds are compared with (e.g. days of logs kept). */
  value?: number;
}

export interface CheckFamily {
  readonly name: string;
  /** Check ids this family produces (each must have an entry in the mapping file). */
  readonly ids: readonly string[];
  /** Platforms it knows how to read; on others its checks are not reported. */
  readonly platforms: readonly NodeJS.Platform[];
  run(ctx: BaselineContext): Promise<CheckOutcome[]>;
}

const EVIDENCE_MAX = 1024;
const clip = (s: string) => (s.length > EVIDENCE_MAX ? `${s.slice(0, EVIDENCE_MAX - 3)}...` : s);
export const pass = (id: string, evidence: string): CheckOutcome => ({ id, result: 'pass', evidence: clip(evidence) });
export const fail = (id: string, evidence: string): CheckOutcome => ({ id, result: 'fail', evidence: clip(evidence) });
export const unknown = (id: string, evidence: string): CheckOutcome => ({ id, result: 'unknown', evidence: clip(evidence) });

const cycleRuns = new WeakMap<object, Map<string, Promise<CommandResult>>>();
/**
 * A command run once per cycle (per BaselineContext) however many families read it
 * (`auditctl -s`, `apt-config dump`): each answer is what the system says in this cycle.
 */
export function runOncePerCycle(ctx: Pick<BaselineContext, 'system'>, command: string, args: readonly string[], opts?: { timeoutMs?: number }): Promise<CommandResult> {
  let runs = cycleRuns.get(ctx);
  if (!runs) cycleRuns.set(ctx, (runs = new Map<string, Promise<CommandResult>>()));
  const key = [command, ...args].join('\0');
  let p = runs.get(key);
  if (!p) runs.set(key, (p = ctx.system.run(command, args, opts)));
  return p;
}

const cycleReads = new WeakMap<object, Map<string, Promise<string | null>>>();
/**
 * A kernel table read once per cycle (per BaselineContext) however many families read it: the
 * kernel builds /proc/net/tcp by walking every socket (~2 ms per read on a busy host).
 */
export function readOncePerCycle(ctx: Pick<BaselineContext, 'system'>, path: string): Promise<string | null> {
  let reads = cycleReads.get(ctx);
  if (!reads) cycleReads.set(ctx, (reads = new Map<string, Promise<string | null>>()));
  let p = reads.get(path);
  if (!p) reads.set(path, (p = ctx.system.readFile(path)));
  return p;
}

/** At most this many listeners are reported: a list that long may be cut short. */
const MAX_LISTENERS = 512;
/**
 * The listening sockets of this cycle, as the ipv6 probe read them just before (`ss -l`, or
 * /proc/net without ss): the kernel's table read once per cycle instead of once per family.
 * Null when that probe did not run or its list may be cut short: read /proc/net then.
 */
export function cycleListeners(ctx: Pick<BaselineContext, 'earlier'>): Ipv6Facts['listeners'] | null {
  const l = ctx.earlier.ipv6?.listeners;
  return l && l.length < MAX_LISTENERS ? l : null;
}

/**
 * Whether systemd runs this host, by its own test (sd_booted(3): /run/systemd/system exists).
 * Without it, timers never fire and timedated cannot be asked: no need to fork systemctl or
 * timedatectl to hear them say so.
 */
export async function systemdRunning(system: SystemReader): Promise<boolean> {
  return (await system.stat('/run/systemd/system')) !== null;
}

/** Stdout of a command that exited 0, else null. */
export const okOut = (r: CommandResult): string | null => (r.kind === 'ok' && r.code === 0 ? r.stdout : null);

/** One line saying why a command gave nothing usable, for evidence. */
export function whyFailed(cmd: string, r: CommandResult): string {
  switch (r.kind) {
    case 'not-found':
      return `${cmd}: not installed`;
    case 'timeout':
      return `${cmd}: no answer within ${r.afterMs} ms`;
    case 'failed':
      return `${cmd}: ${r.message.slice(0, 200)}`;
    case 'ok': {
      const msg = (r.stderr.trim() || r.stdout.trim()).split('\n')[0]?.slice(0, 200) ?? '';
      const perm = /permission|not permitted|must be root|superuser/i.test(msg) ? ' (run the agent as root)' : '';
      return `${cmd}: exit ${r.code}${msg ? `: ${msg}` : ''}${perm}`;
    }
  }
}

/** Config files in the `key value` / `key=value` style, comments removed; first value wins. */
export function keyValues(text: string, sep: RegExp = /\s*[=\s]\s*/): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const m = sep.exec(line);
    if (!m || m.index === 0) continue;
    const key = line.slice(0, m.index).toLowerCase();
    if (!out.has(key)) out.set(key, line.slice(m.index + m[0].length).trim());
  }
  return out;
}

/** Read every `*.conf` of a drop-in directory in name order (how systemd, sshd, pwquality do). */
export async function dropIns(system: SystemReader, dir: string): Promise<{ path: string; text: string }[]> {
  const names = ((await system.readDir(dir)) ?? []).filter((n) => n.endsWith('.conf')).sort();
  const texts = await Promise.all(names.map((n) => system.readFile(`${dir}/${n}`)));
  return names.flatMap((n, i) => (texts[i] === null ? [] : [{ path: `${dir}/${n}`, text: texts[i]! }]));
}
