/**
 * The CEL environments rule expressions are checked and run in. Every member field an
 * expression may read is declared here with its type, so a typo or a type mismatch is a load
 * error, never a silent `false` at run time. Integers are CEL `int` (BigInt in JS).
 */
import { Environment } from '@marcbachmann/cel-js';
import { ASK_CEL, plainExpression, type Variable } from './plain-cel.js';

/** cel-js's name for CEL's timestamp type. */
const TIMESTAMP = 'google.protobuf.Timestamp';

/** The facts of a host, as `host.*` in expressions over the `hosts` population. */
export const HOST_SCHEMA = {
  id: 'string',
  unit: 'string',
  hostname: 'string',
  /** server | workstation */
  role: 'string',
  /** linux | windows | darwin | other | unknown */
  os: 'string',
  /** Silent longer than the stale window. Stale hosts fail every host rule whatever `pass` says. */
  stale: 'bool',
  /** Minutes since the last report was received. */
  silentMinutes: 'int',
  /** When the latest report was collected (compare with `now`: `now - host.collectedAt > duration("24h")`). */
  collectedAt: TIMESTAMP,
  protection: {
    /**
     * The collector's verdict under the ministry's protection policy (collector config
     * `protection`) at evaluation time: at least one protection product installed, running,
     * real-time on, signatures younger than the limit NOW. False when stale.
     */
    protected: 'bool',
    /** False when the protection probe failed or did not run (unknown counts as failing). */
    known: 'bool',
    /** The policy's reasons in English: evidence to read, never to match (the words may change; branch on reasonCodes). */
    reasons: 'list<string>',
    /** The same reasons as catalogue codes (POLICY_..., protocol/src/reasons), e.g. `"POLICY_SIGNATURES_OLD" in host.protection.reasonCodes`. */
    reasonCodes: 'list<string>',
    /** Ids of the products found, e.g. clamav, mdatp. */
    products: 'list<string>',
    /**
     * The product facts, for stricter rules: maps with key, id, name, antiMalware, installed,
     * running, realTime, signatureless, protects (under the policy, now), and when known
     * signatureAgeHours (double, at evaluation time), signatureDate (timestamp),
     * signatureUpToDate. Test optional ones with has(): `has(p.signatureAgeHours) && p.signatureAgeHours < 72.0`.
     */
    items: 'list<map<string, dyn>>',
    /** The agent's own verdict with its own config: a diagnostic, never the count. */
    agentProtected: 'bool',
  },
  ipv6: {
    /** none | address | routed | dual-stack-services | ready | unknown */
    readiness: 'string',
    /** 0 (none) .. 4 (ready); -1 when unknown. */
    level: 'int',
    /** The agent's reasons as text (evidence; branch on reasonCodes). */
    reasons: 'list<string>',
    /** The agent's reason codes (IPV6_...) for what keeps the host from the next level; empty from agents that send none. */
    reasonCodes: 'list<string>',
  },
  /** Baseline check id -> pass | fail | unknown (absent when the host did not report the check). */
  baseline: 'map<string, string>',
  /** Ids of the information systems the host serves. */
  systems: 'list<string>',
} as const;

/** The facts of an information system, as `system.*` in expressions over `systems`. */
export const SYSTEM_SCHEMA = {
  id: 'string',
  name: 'string',
  /** Owner unit. */
  unit: 'string',
  /** Known to the registry; false for systems only declared by agents (unclassified). */
  registered: 'bool',
  /** Security level 1-5; 0 while not determined. */
  level: 'int',
  /** An approval decision for the level exists. */
  approved: 'bool',
  planDeployed: 'bool',
  /** The registry's protectionPlan.status: full | partial | none, or unspecified. */
  planStatus: 'string',
  tags: 'list<string>',
  /** Hosts (not decommissioned) that declare this system. */
  hosts: 'int',
  /** Of those, hosts that are not stale. */
  reportingHosts: 'int',
  /** Of those, hosts whose IPv6 readiness is "ready". */
  ipv6ReadyHosts: 'int',
  /** pass: every reporting host passes every baseline check its level requires (at that level: byLevel); fail; unknown (rules/baseline-level.ts). */
  baseline: 'string',
  /** "hostname: check id (result)" for each required check not passed. */
  baselineFailing: 'list<string>',
  /** The outside view over IPv6, from the portal prober (src/portals/facts.ts). */
  portal: {
    /** An outside probe result exists. */
    probed: 'bool',
    /** none | address | reachable | web | ready | unknown (also when never probed). */
    level: 'string',
    /** 0 (none) .. 4 (ready); -1 when unknown or never probed. */
    levelNo: 'int',
    /** Level ready: web, name servers and mail over IPv6 as the public sees them. */
    ready: 'bool',
    /** Minutes since the newest probe; -1 when never probed. */
    ageMinutes: 'int',
    /** Criterion (ns_aaaa, web_same_content, ...) -> pass | fail | unreachable | n/a. */
    checks: 'map<string, string>',
    /** What blocks the next level, in English: evidence (branch on blockingCodes; the report renders the codes in Vietnamese). */
    blocking: 'list<string>',
    /** Reason codes (PORTAL_...) of `blocking`. */
    blockingCodes: 'list<string>',
  },
} as const;

export type Population = 'hosts' | 'systems';

const LIMITS = { maxAstNodes: 2000, maxDepth: 64, maxListElements: 1000, maxMapEntries: 1000, maxCallArguments: 16 };

function makeEnv(population: Population): Environment {
  const env = new Environment({ limits: LIMITS });
  if (population === 'hosts') env.registerVariable({ name: 'host', schema: HOST_SCHEMA });
  else env.registerVariable({ name: 'system', schema: SYSTEM_SCHEMA });
  // The evaluation time: the time helper of rules (timestamps minus it give durations).
  env.registerVariable('now', TIMESTAMP);
  return env;
}

const envs: Record<Population, Environment> = { hosts: makeEnv('hosts'), systems: makeEnv('systems') };
const VARIABLES: Record<Population, Variable> = { hosts: { name: 'host', schema: HOST_SCHEMA }, systems: { name: 'system', schema: SYSTEM_SCHEMA } };

/** A checked expression, ready to run against one member. */
export interface CompiledExpr {
  source: string;
  /** The CEL result type, e.g. bool, string, list<string>. */
  type: string;
  run(vars: Record<string, unknown>): unknown;
}

export interface CelProblem {
  message: string;
  /** 0-based offset in the expression, when the library knows it. */
  offset: number | null;
}

/**
 * Parse and type-check `source` for a population, requiring one of `types`. Returns the
 * compiled expression or the problem; never evaluates anything. `plain: false` runs every
 * expression in cel-js (tests compare the two).
 */
export function compile(population: Population, source: string, types: readonly string[], opts: { plain?: boolean } = {}): CompiledExpr | CelProblem {
  const env = envs[population];
  let checked: { valid: boolean; type?: string; error?: Error & { node?: { pos?: number } } };
  try {
    checked = env.check(source);
  } catch (e) {
    checked = { valid: false, error: e as Error & { node?: { pos?: number } } };
  }
  if (!checked.valid || !checked.type) {
    const err = checked.error;
    return { message: (err?.message ?? 'invalid expression').split('\n')[0]!, offset: err?.node?.pos ?? caretOffset(err?.message) };
  }
  if (!types.includes(checked.type)) return { message: `expression has type ${checked.type}, expected ${types.join(' or ')}`, offset: null };
  const fn = env.parse(source);
  // A plain expression (plain-cel.ts) is answered in JavaScript, with cel-js behind it for whatever it cannot answer.
  const plain = opts.plain === false ? null : plainExpression((fn as unknown as { ast: unknown }).ast, VARIABLES[population]);
  if (plain) {
    return {
      source,
      type: checked.type,
      run: (vars) => {
        const v = plain(vars);
        return v === ASK_CEL ? (fn(vars) as unknown) : v;
      },
    };
  }
  return { source, type: checked.type, run: (vars) => fn(vars) as unknown };
}

/** cel-js draws a caret under the failing column; use it when the error carries no node. */
function caretOffset(message: string | undefined): number | null {
  const lines = message?.split('\n') ?? [];
  const src = lines.findIndex((l) => /^>\s+\d+ \| /.test(l));
  if (src < 0 || !lines[src + 1]) return null;
  const prefix = /^>\s+\d+ \| /.exec(lines[src]!)![0].length;
  const caret = lines[src + 1]!.indexOf('^');
  return caret >= prefix ? caret - prefix : null;
}

export const isProblem = (x: CompiledExpr | CelProblem): x is CelProblem => !('run' in x);

/**
 * Whether any of these host expressions may read the facts that are loaded only for hosts
 * serving a system (store/host-facts.ts HostFacts): the baseline checks, product ids, OS and
 * IPv6 reasons. A word match on the source, so it errs towards loading: `host["baseline"]`
 * and a comment mentioning products count too.
 */
export function readsHostDetail(sources: readonly string[]): boolean {
  // host.protection.reasons and host.ipv6.readiness have columns of their own: they do not count.
  return sources.some((s) => /\b(baseline|products|os)\b|\bipv6\W+reason(s|Codes)\b/.test(s));
}
