/**
 * Rule unit tests as data (promtool's unittest format is the model): a fleet of host facts
 * and registry records, evaluations at given times after the start, and the expected ratios
 * per scope and alert states. The file is validated strictly like a rule file (an unknown or
 * misspelled key is an error naming file:line:col), a test that asserts nothing is an error,
 * and every evaluation runs through the real engine (engine.ts) and the one alert state
 * machine (alerting.ts), in memory.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Type, type TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType } from '@sinclair/typebox/value';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { HostInput } from '../store/host-facts.js';
import { SystemRecord } from '../store/systems.js';
import type { AlertRecord } from './alerting.js';
import { parseDuration } from './duration.js';
import { Engine, type RecordedEvaluation } from './engine.js';
import { RuleManager } from './manager.js';
import { hostMembers, systemMembers } from './members.js';
import { DEFAULT_PROTECTION_POLICY, type ProtectionFacts, type ProtectionPolicy } from '../policy/protection.js';
import type { ScopedObservation } from './observe.js';
import type { PortalFacts } from '../portals/facts.js';

const PORTAL_LEVEL_NAMES = ['none', 'address', 'reachable', 'web', 'ready', 'unknown'] as const;

const Closed = { additionalProperties: false } as const;
const Str = Type.String();
const Result = Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Literal('unknown')]);
const HostFixtureSchema = Type.Object(
  {
    unit: Str,
    count: Type.Optional(Type.Integer({ minimum: 1 })),
    hostname: Type.Optional(Str),
    role: Type.Optional(Str),
    os: Type.Optional(Str),
    /**
     * true (default): one product installed, running, real-time on, with signatures
     * `signature_age` old at the last report; false: that product is not running; null: the
     * protection probe failed. The collector judges it with the policy at each evaluation.
     */
    protected: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    /** Signature age at the last report, e.g. 6d (default 1h). */
    signature_age: Type.Optional(Str),
    /** The agent's own verdict (default: `protected`); only shown, never counted. */
    agent_protected: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    reasons: Type.Optional(Type.Array(Str)),
    products: Type.Optional(Type.Array(Str)),
    ipv6: Type.Optional(Type.Union([Str, Type.Null()])),
    baseline: Type.Optional(
      Type.Union([
        Type.Record(
          Str,
          Type.Object(
            {
              level: Type.Integer(),
              result: Result,
              // Per-level results of a check whose threshold grows with the level, as agents report them.
              byLevel: Type.Optional(Type.Array(Type.Object({ level: Type.Integer(), result: Result, threshold: Type.Number() }, Closed))),
              value: Type.Optional(Type.Number()),
            },
            Closed,
          ),
        ),
        Type.Null(),
      ]),
    ),
    systems: Type.Optional(Type.Array(Str)),
    last_report: Type.Optional(Str),
    decommissioned: Type.Optional(Type.Boolean()),
  },
  Closed,
);
const ExpectSchema = Type.Object(
  {
    indicator: Str,
    scope: Str,
    pass: Type.Optional(Type.Integer()),
    total: Type.Optional(Type.Integer()),
    ratio: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    met: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    overdue: Type.Optional(Type.Boolean()),
  },
  Closed,
);
const AlertExpectSchema = Type.Object(
  {
    indicator: Str,
    scope: Str,
    state: Type.Union([Type.Literal('pending'), Type.Literal('firing'), Type.Literal('resolved')]),
    labels: Type.Optional(Type.Record(Str, Str)),
    annotations: Type.Optional(Type.Record(Str, Str)),
  },
  Closed,
);
const EvalStepSchema = Type.Object(
  {
    at: Str,
    /** Replaces the fleet from this step on. */
    hosts: Type.Optional(Type.Array(HostFixtureSchema)),
    expect: Type.Optional(Type.Array(ExpectSchema)),
    /** The exact set of non-inactive alerts (of `alerts_for` indicators, default all). */
    alerts: Type.Optional(Type.Array(AlertExpectSchema)),
    alerts_for: Type.Optional(Type.Array(Str)),
  },
  Closed,
);
const CheckStatusSchema = Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Literal('unreachable'), Type.Literal('n/a')]);
/** The newest outside probe of a portal (src/portals/), as `system.portal.*` sees it. */
const PortalFixtureSchema = Type.Object(
  {
    system: Str,
    level: Type.Union(PORTAL_LEVEL_NAMES.map((l) => Type.Literal(l))),
    /** Offset from the test's start, e.g. -1h (default: at the start). */
    probed: Type.Optional(Str),
    /** Criterion -> pass | fail | unreachable | n/a. */
    checks: Type.Optional(Type.Record(Str, CheckStatusSchema)),
    /** Reason codes blocking the next level. */
    blocking: Type.Optional(Type.Array(Str)),
  },
  Closed,
);
const TestCaseSchema = Type.Object(
  {
    name: Str,
    start: Type.Optional(Str),
    hosts: Type.Optional(Type.Array(HostFixtureSchema)),
    /** Registry records, checked against the registry's own schema. */
    systems: Type.Optional(Type.Array(Type.Unknown())),
    portals: Type.Optional(Type.Array(PortalFixtureSchema)),
    evals: Type.Array(EvalStepSchema, { minItems: 1 }),
  },
  Closed,
);
const TestFileSchema = Type.Object(
  {
    rule_files: Type.Array(Str, { minItems: 1 }),
    /** Unit ids, or {id, name} to see display names in annotations. */
    units: Type.Array(Type.Union([Str, Type.Object({ id: Str, name: Str }, Closed)])),
    stale_after: Type.Optional(Str),
    /** The collector's protection policy (keys of the collector config's `protection`); default the config's defaults. */
    protection: Type.Optional(
      Type.Object(
        {
          maxSignatureAgeHours: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
          acceptVendorUpToDateFlag: Type.Optional(Type.Boolean()),
          signaturelessProducts: Type.Optional(Type.Array(Str)),
          neverProtects: Type.Optional(Type.Array(Str)),
        },
        Closed,
      ),
    ),
    /** How long a resolved alert stays listed (the collector's rules.resolvedResendMinutes). */
    resolved_keep: Type.Optional(Str),
    tests: Type.Array(TestCaseSchema, { minItems: 1 }),
  },
  Closed,
);

type HostFixture = (typeof HostFixtureSchema)['static'];
type TestFile = (typeof TestFileSchema)['static'];

/** A test file that cannot be run as written: every problem, each with file:line:col. */
export class RuleTestFileError extends Error {
  readonly code = 'RULE_TEST_INVALID';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`rule test file refused (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}`);
  }
}

/** The YAML node at a JSON pointer path, and for an unknown key the key itself. */
function nodeAt(doc: Document, path: string[]): Node | null {
  let node: unknown = doc.contents;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
      if (!pair) return node ?? null;
      node = pair.value ?? pair.key;
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)];
      if (item === undefined) return node;
      node = item;
    } else return (node as Node) ?? null;
  }
  return (node as Node) ?? null;
}

function keyNodeAt(doc: Document, path: string[], key: string): Node | null {
  const parent = nodeAt(doc, path);
  if (!isMap(parent)) return parent;
  const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
  return (pair?.key as Node | undefined) ?? parent;
}

/** Strict validation: unknown keys, wrong types and missing fields, each at its line and column. */
function validate(doc: Document, lc: LineCounter, file: string, schema: TSchema, value: unknown): string[] {
  const problems: string[] = [];
  const at = (n: Node | null) => {
    const p = lc.linePos(n?.range?.[0] ?? 0);
    return `${file}:${p.line}:${p.col}`;
  };
  const seen = new Set<string>();
  for (const e of Value.Errors(schema, value)) {
    const path = e.path
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    // An unknown key: name it where it is written, with the keys allowed there.
    if (e.type === ValueErrorType.ObjectAdditionalProperties) {
      const key = path[path.length - 1] ?? '';
      const parent = path.slice(0, -1);
      const allowed = Object.keys((e.schema as { properties?: Record<string, unknown> }).properties ?? {});
      const msg = `${at(keyNodeAt(doc, parent, key))}: unknown key "${key}" in ${parent.length ? `/${parent.join('/')}` : 'the file'}; allowed: ${allowed.join(', ')}`;
      if (!seen.has(msg)) {
        seen.add(msg);
        problems.push(msg);
      }
      continue;
    }
    const msg = `${at(nodeAt(doc, path))}: ${e.path || '/'}: ${e.message}`;
    if (!seen.has(msg)) {
      seen.add(msg);
      problems.push(msg);
    }
  }
  return problems;
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

function protectionFixture(h: HostFixture, collectedMs: number, where: string): ProtectionFacts {
  const agentProtected = h.agent_protected !== undefined ? h.agent_protected : h.protected === undefined ? true : h.protected;
  if (h.protected === null) return { collectedMs, products: null, failure: 'PROBE_TIMEOUT', agentProtected, agentLimitHours: null };
  const running = h.protected !== false;
  const ageHours = dur(h.signature_age ?? '1h', `${where}.signature_age`) / 3_600_000;
  return {
    collectedMs,
    products: [{ key: 'clamav', id: 'clamav', name: 'ClamAV', antiMalware: true, installed: true, running, realTime: running, signatureless: false, signatureMs: null, signatureAgeHours: ageHours, signatureUpToDate: null }],
    failure: null,
    agentProtected,
    agentLimitHours: 168,
  };
}

function fleet(fx: HostFixture[], at: number, t0: number, where: string): HostInput[] {
  const out: HostInput[] = [];
  fx.forEach((h, i) => {
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
        protected: h.agent_protected !== undefined ? h.agent_protected : h.protected === undefined ? true : h.protected,
        protection: protectionFixture(h, received, `${where}.hosts[${i}]`),
        protectionReasons: h.reasons ?? [],
        protectionReasonCodes: [],
        protectionError: null,
        products: h.products ?? [],
        ipv6Readiness: h.ipv6 === undefined ? 'none' : h.ipv6,
        ipv6Reasons: [],
        ipv6ReasonCodes: [],
        baseline: h.baseline === null ? null : Object.entries(h.baseline ?? {}).map(([id, c]) => ({ id, level: c.level, result: c.result, ...(c.byLevel ? { byLevel: c.byLevel } : {}), ...(c.value !== undefined ? { value: c.value } : {}) })),
        receivedAt: new Date(received).toISOString(),
        decommissionedAt: h.decommissioned ? new Date(t0).toISOString() : null,
      });
    }
  });
  return out;
}

const same = (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) < 1e-9 : a === b);

export function runRuleTestFile(file: string): TestOutcome {
  const lc = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { uniqueKeys: true, lineCounter: lc, prettyErrors: false });
  if (doc.errors.length) {
    throw new RuleTestFileError(
      file,
      doc.errors.map((e) => `${file}:${e.linePos?.[0]?.line ?? '?'}:${e.linePos?.[0]?.col ?? '?'}: YAML syntax: ${e.message.split('\n')[0]}`),
    );
  }
  const raw: unknown = doc.toJS();
  const problems = validate(doc, lc, file, TestFileSchema, raw);
  if (problems.length) throw new RuleTestFileError(file, problems);
  const spec = raw as TestFile;
  // A test that checks nothing cannot fail: refuse it rather than report it passed.
  const idle = spec.tests.flatMap((t, ti) =>
    t.evals.some((ev) => (ev.expect?.length ?? 0) > 0 || ev.alerts !== undefined)
      ? []
      : [`${file}:${lc.linePos(nodeAt(doc, ['tests', String(ti)])?.range?.[0] ?? 0).line}: tests[${ti}] "${t.name}" asserts nothing: give an evaluation "expect" entries or an "alerts" list`],
  );
  if (idle.length) throw new RuleTestFileError(file, idle);
  const manager = new RuleManager(spec.rule_files.map((f) => resolve(dirname(file), f)));
  const staleMin = dur(spec.stale_after ?? '60m', `${file}: stale_after`) / 60_000;
  const policy: ProtectionPolicy = { ...DEFAULT_PROTECTION_POLICY, ...(spec.protection ?? {}) };
  const keepMs = dur(spec.resolved_keep ?? '15m', `${file}: resolved_keep`);
  const units = spec.units.map((u) => (typeof u === 'string' ? { id: u, name: u } : u));
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
        const probedAt = t0 + (p.probed ? dur(p.probed, `${file}: ${where}.portals[${i}].probed`) : 0);
        return [p.system, { probedAt, level: p.level, ready: p.level === 'ready', checks: p.checks ?? {}, blocking: (p.blocking ?? []).map((code) => ({ code })) }];
      }),
    );
    let state: AlertRecord[] = [];
    let last: RecordedEvaluation | undefined;
    let hostsFx = t.hosts ?? [];
    // The engine the collector runs, with its inputs and outputs in memory.
    const engine = new Engine({
      rules: manager,
      units: () => units,
      members: (now) => {
        const hosts = hostMembers(fleet(hostsFx, now.getTime(), t0, `${file}: ${where}`), now, staleMin, policy);
        return { hosts, systems: systemMembers(registry, hosts, portals, now), systemNames: new Map(registry.map((r) => [r.id, r.name])) };
      },
      alertState: () => state,
      record: (r) => {
        state = r.alerts.state;
        last = r;
      },
      resolvedKeepMs: keepMs,
    });
    for (const ev of t.evals) {
      const now = new Date(t0 + dur(ev.at, `${file}: ${where} at`));
      if (ev.hosts) hostsFx = ev.hosts;
      engine.evaluateAndRecord(now);
      const results = new Map<string, ScopedObservation>((last?.observations ?? []).map((o) => [`${o.indicator} ${o.scope}`, o]));
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
        const actual = state.filter((a) => !only || only.has(a.indicator));
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
