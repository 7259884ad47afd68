/**
 * Rule unit tests as data (promtool's unittest format is the model): a fleet of host facts
 * and registry records, evaluations at given times after the start, and the expected ratios
 * per scope and alert states. Runs the real rule code (evaluateRule, observe, step) in memory.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { parseDocument } from 'yaml';
import { SystemRecord } from '../store/systems.js';
import { step, type AlertRecord } from './alerting.js';
import { parseDuration } from './duration.js';
import { evaluateRule } from './evaluate.js';
import { loadRuleFiles } from './format.js';
import { expandRuleFiles } from './manager.js';
import { hostMembers, systemMembers, type HostInput } from './members.js';
import { observe } from './observe.js';
import type { PortalFacts } from '../portals/facts.js';

const PORTAL_LEVEL_NAMES = ['none', 'address', 'reachable', 'web', 'ready', 'unknown'] as const;

interface HostFixture {
  unit: string;
  count?: number;
  hostname?: string;
  role?: string;
  os?: string;
  protected?: boolean | null;
  reasons?: string[];
  products?: string[];
  ipv6?: string | null;
  baseline?: Record<string, { level: number; result: 'pass' | 'fail' | 'unknown' }> | null;
  systems?: string[];
  /** Offset from the start of the last report, e.g. -2h; absent: reports at every evaluation. */
  last_report?: string;
  decommissioned?: boolean;
}

interface Expect {
  indicator: string;
  scope: string;
  pass?: number;
  total?: number;
  ratio?: number | null;
  met?: boolean | null;
  overdue?: boolean;
}

interface AlertExpect {
  indicator: string;
  scope: string;
  state: 'pending' | 'firing' | 'resolved';
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface EvalStep {
  at: string;
  /** Replaces the fleet from this step on. */
  hosts?: HostFixture[];
  expect?: Expect[];
  /** The exact set of non-inactive alerts (of `alerts_for` indicators, default all). */
  alerts?: AlertExpect[];
  alerts_for?: string[];
}

/** The newest outside probe of a portal (src/portals/), as `system.portal.*` sees it. */
interface PortalFixture {
  system: string;
  level: 'none' | 'address' | 'reachable' | 'web' | 'ready' | 'unknown';
  /** Offset from the test's start, e.g. -1h (default: at the start). */
  probed?: string;
  /** Criterion -> pass | fail | unreachable | n/a. */
  checks?: Record<string, 'pass' | 'fail' | 'unreachable' | 'n/a'>;
  /** Reason codes blocking the next level. */
  blocking?: string[];
}

interface TestCase {
  name: string;
  start?: string;
  hosts?: HostFixture[];
  systems?: unknown[];
  portals?: PortalFixture[];
  evals: EvalStep[];
}

interface TestFile {
  rule_files: string[];
  /** Unit ids, or {id, name} to see display names in annotations. */
  units: (string | { id: string; name: string })[];
  stale_after?: string;
  /** How long a resolved alert stays listed (the collector's rules.resolvedResendMinutes). */
  resolved_keep?: string;
  tests: TestCase[];
}

export interface TestOutcome {
  file: string;
  tests: number;
  failures: string[];
}

const dur = (s: string, where: string): number => {
  const neg = s.startsWith('-');
  const ms = parseDuration(neg ? s.slice(1) : s);
  if (ms === null) throw new Error(`${where}: "${s}" is not a duration (e.g. 15m, -2h)`);
  return neg ? -ms : ms;
};

function fleet(fx: HostFixture[], at: number, t0: number, where: string): HostInput[] {
  const out: HostInput[] = [];
  fx.forEach((h, i) => {
    if (typeof h.unit !== 'string') throw new Error(`${where}.hosts[${i}]: "unit" is required`);
    const received = h.last_report !== undefined ? t0 + dur(h.last_report, `${where}.hosts[${i}].last_report`) : at;
    for (let k = 0; k < (h.count ?? 1); k++) {
      const name = h.hostname ?? `${h.unit.toLowerCase()}-${i}-${k}`;
      out.push({
        agentId: `${name}#${i}.${k}`,
        unit: h.unit,
        hostname: h.count && h.count > 1 && h.hostname ? `${h.hostname}-${k}` : name,
        role: h.role ?? 'workstation',
        os: h.os ?? 'linux',
        systems: h.systems ?? [],
        protected: h.protected === undefined ? true : h.protected,
        protectionReasons: h.reasons ?? [],
        products: h.products ?? [],
        ipv6Readiness: h.ipv6 === undefined ? 'none' : h.ipv6,
        ipv6Reasons: [],
        baseline: h.baseline === null ? null : Object.entries(h.baseline ?? {}).map(([id, c]) => ({ id, level: c.level, result: c.result })),
        receivedAt: new Date(received).toISOString(),
        decommissionedAt: h.decommissioned ? new Date(t0).toISOString() : null,
      });
    }
  });
  return out;
}

const same = (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) < 1e-9 : a === b);

export function runRuleTestFile(file: string): TestOutcome {
  const doc = parseDocument(readFileSync(file, 'utf8'), { uniqueKeys: true });
  if (doc.errors.length) throw new Error(`${file}: YAML syntax at line ${doc.errors[0]!.linePos?.[0]?.line ?? '?'}: ${doc.errors[0]!.message.split('\n')[0]}`);
  const spec = doc.toJS() as TestFile;
  if (!spec || !Array.isArray(spec.rule_files) || !Array.isArray(spec.units) || !Array.isArray(spec.tests)) throw new Error(`${file}: needs rule_files, units and tests lists`);
  const rules = loadRuleFiles(expandRuleFiles(spec.rule_files.map((f) => resolve(dirname(file), f)))).flatMap((g) => g.rules);
  const staleMin = dur(spec.stale_after ?? '60m', `${file}: stale_after`) / 60_000;
  const keepMs = dur(spec.resolved_keep ?? '15m', `${file}: resolved_keep`);
  const failures: string[] = [];
  for (const [ti, t] of spec.tests.entries()) {
    const where = `tests[${ti}] "${t.name}"`;
    const t0 = Date.parse(t.start ?? '2026-01-01T00:00:00Z');
    const registry = (t.systems ?? []).map((s, i) => {
      const rec = Value.Default(SystemRecord, Value.Clone(s));
      const errs = [...Value.Errors(SystemRecord, rec)];
      if (errs.length) throw new Error(`${file}: ${where}.systems[${i}]: ${errs.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`);
      return rec as SystemRecord;
    });
    const portals = new Map<string, PortalFacts>(
      (t.portals ?? []).map((p, i) => {
        if (typeof p.system !== 'string' || !(PORTAL_LEVEL_NAMES as readonly string[]).includes(p.level)) throw new Error(`${file}: ${where}.portals[${i}]: needs "system" and "level" (${PORTAL_LEVEL_NAMES.join(' | ')})`);
        const probedAt = t0 + (p.probed ? dur(p.probed, `${file}: ${where}.portals[${i}].probed`) : 0);
        return [p.system, { probedAt, level: p.level, ready: p.level === 'ready', checks: p.checks ?? {}, blocking: (p.blocking ?? []).map((code) => ({ code })) }];
      }),
    );
    const unitNames = new Map(spec.units.map((u) => (typeof u === 'string' ? [u, u] : [u.id, u.name])));
    const systemNames = new Map(registry.map((r) => [r.id, r.name]));
    const state = new Map<string, AlertRecord>();
    let hostsFx = t.hosts ?? [];
    for (const ev of t.evals) {
      const now = new Date(t0 + dur(ev.at, `${file}: ${where} at`));
      if (ev.hosts) hostsFx = ev.hosts;
      const hosts = hostMembers(fleet(hostsFx, now.getTime(), t0, `${file}: ${where}`), now, staleMin);
      const systems = systemMembers(registry, hosts, portals, now);
      const results = new Map<string, ReturnType<typeof observe>[number]>();
      for (const r of rules) {
        const ind = evaluateRule(r, r.population === 'hosts' ? hosts : systems, [...unitNames.keys()], now);
        for (const o of observe(r, ind, unitNames, systemNames)) results.set(`${o.indicator} ${o.scope}`, o);
      }
      for (const key of new Set([...results.keys(), ...state.keys()])) {
        const { next } = step(state.get(key), results.get(key) ?? null, now);
        // As the engine: a resolved alert is kept for the resend window, then inactive.
        if (next && !(next.state === 'resolved' && now.getTime() - Date.parse(next.resolvedAt!) > keepMs)) state.set(key, next);
        else state.delete(key);
      }
      const fail = (msg: string) => failures.push(`FAILED ${where} at ${ev.at}: ${msg}`);
      for (const e of ev.expect ?? []) {
        const got = results.get(`${e.indicator} ${e.scope}`);
        if (!got) {
          fail(`no result for indicator "${e.indicator}" scope "${e.scope}" (scopes: ministry, unit:<id>, system:<id>)`);
          continue;
        }
        for (const k of ['pass', 'total', 'ratio', 'met', 'overdue'] as const) {
          if (e[k] !== undefined && !same(e[k], got.result[k])) fail(`${e.indicator} ${e.scope}: ${k} expected ${JSON.stringify(e[k])}, got ${JSON.stringify(got.result[k])}`);
        }
      }
      if (ev.alerts) {
        const only = ev.alerts_for ? new Set(ev.alerts_for) : null;
        const actual = [...state.values()].filter((a) => !only || only.has(a.indicator));
        const fmt = (a: { indicator: string; scope: string; state: string }) => `${a.indicator} ${a.scope} ${a.state}`;
        const want = ev.alerts.map(fmt).sort();
        const have = actual.map(fmt).sort();
        if (JSON.stringify(want) !== JSON.stringify(have)) fail(`alerts expected [${want.join(', ')}], got [${have.join(', ')}]`);
        for (const e of ev.alerts) {
          const a = actual.find((x) => x.indicator === e.indicator && x.scope === e.scope);
          if (!a) continue;
          for (const [k, v] of Object.entries(e.labels ?? {})) if (a.labels[k] !== v) fail(`${fmt(e)}: label ${k} expected "${v}", got "${a.labels[k] ?? ''}"`);
          for (const [k, v] of Object.entries(e.annotations ?? {})) if (a.annotations[k] !== v) fail(`${fmt(e)}: annotation ${k} expected "${v}", got "${a.annotations[k] ?? ''}"`);
        }
      }
    }
  }
  return { file, tests: spec.tests.length, failures };
}
