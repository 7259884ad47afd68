/**
 * Rule files: parse and validate, apart from the engine (Prometheus' rulefmt is the model).
 * Loading is strict and total: every problem is collected, each naming the file, group, rule,
 * field and line:column, and a file set with any problem is refused as a whole.
 */
import { readFileSync } from 'node:fs';
import { REASONS } from '@posture/protocol';
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { compile, isProblem, type CompiledExpr, type Population } from './cel.js';
import { compileTemplate, isTemplateProblem, type Template } from './template.js';
import { parseDuration } from './duration.js';
import { parseDirective, type Directive } from './directive.js';

export type { Directive } from './directive.js';

export type ScopeKey = 'unit' | 'system';

export interface Rule {
  indicator: string;
  /** The id of the directive of the rule's file; null for supporting rules. */
  directive: string | null;
  /** Row number in the directive's appendix table; 0 for supporting indicators. */
  tt: number;
  title: { vi: string; en: string };
  basis: string;
  population: Population;
  where: CompiledExpr | null;
  pass: CompiledExpr;
  /**
   * Why a member fails: reason codes of the catalogue (string or list<string>, rendered with the
   * member's facts as parameters); defaults to the member's own reasons.
   */
  reason: CompiledExpr | null;
  by: ScopeKey[];
  target: number;
  /** YYYY-MM-DD, the last day to reach the target. */
  due: string | null;
  forMs: number;
  labels: Record<string, string>;
  annotations: Record<string, Template>;
  group: string;
  file: string;
}

export interface RuleGroup {
  name: string;
  file: string;
  directive: Directive | null;
  /** null: the collector's evaluationIntervalSeconds. */
  intervalMs: number | null;
  rules: Rule[];
}

export interface RuleProblem {
  file: string;
  group: string | null;
  rule: string | null;
  field: string | null;
  line: number;
  col: number;
  message: string;
}

export const formatProblem = (p: RuleProblem): string =>
  `${p.file}:${p.line}:${p.col}: ${[p.group !== null && `group "${p.group}"`, p.rule !== null && `rule "${p.rule}"`, p.field !== null && `field "${p.field}"`].filter(Boolean).join(' ')}${p.group !== null || p.field !== null ? ': ' : ''}${p.message}`;

export class RuleFileError extends Error {
  readonly code = 'RULES_INVALID';
  constructor(readonly problems: RuleProblem[]) {
    super(`rule files refused (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${problems.map(formatProblem).join('\n  ')}`);
  }
}

const RULE_KEYS = ['indicator', 'tt', 'title', 'basis', 'population', 'where', 'pass', 'reason', 'by', 'target', 'due', 'for', 'labels', 'annotations'];
const GROUP_KEYS = ['name', 'interval', 'rules'];
/** Labels the engine sets on every alert; a rule may not override them. */
export const RESERVED_LABELS = ['alertname', 'indicator', 'scope', 'unit', 'system'];
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const INDICATOR_ID = /^[a-z][a-z0-9_]{0,62}$/;

/** Parse one file's text. Problems are appended to `problems`; groups are returned when clean. */
export function parseRuleText(text: string, file: string, problems: RuleProblem[], seen = new Map<string, string>()): RuleGroup[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, lineCounter: lc, prettyErrors: false });
  const at = (offset: number) => lc.linePos(offset);
  const before = problems.length;
  const add = (offset: number, group: string | null, rule: string | null, field: string | null, message: string) => {
    const { line, col } = at(offset);
    problems.push({ file, group, rule, field, line, col, message });
  };
  if (doc.errors.length) {
    for (const e of doc.errors) add(e.pos[0], null, null, null, `YAML syntax: ${e.message.split('\n')[0]}`);
    return [];
  }
  const root = doc.contents as Node | null;
  if (!isMap(root)) {
    add(0, null, null, null, 'the file must be a mapping with a "groups:" list');
    return [];
  }
  const start = (n: unknown) => (n as Node | null)?.range?.[0] ?? 0;
  for (const p of root.items) {
    const k = String((p.key as { value?: unknown }).value);
    if (k !== 'groups' && k !== 'directive') add(start(p.key), null, null, k, 'unknown key: a rule file has "directive" (optional) and "groups"');
  }
  const directive = parseDirective(root.get('directive', true), (n, field, msg) => add(start(n ?? root), null, null, field, msg));
  const groupsNode = root.get('groups', true);
  if (!isSeq(groupsNode)) {
    add(start(groupsNode ?? root), null, null, 'groups', 'expected a list of groups');
    return [];
  }
  const groups: RuleGroup[] = [];
  const groupNames = new Set<string>();
  for (const gNode of groupsNode.items) {
    if (!isMap(gNode)) {
      add(start(gNode), null, null, null, 'a group must be a mapping with name, interval and rules');
      continue;
    }
    const g = (gNode.toJSON() ?? {}) as Record<string, unknown>;
    const gname = typeof g.name === 'string' && g.name ? g.name : null;
    const gAt = (key: string) => start(gNode.get(key, true) ?? gNode);
    for (const p of gNode.items) {
      const k = String((p.key as { value?: unknown }).value);
      if (!GROUP_KEYS.includes(k)) add(start(p.key), gname, null, k, `unknown key (a group has ${GROUP_KEYS.join(', ')})`);
    }
    if (!gname) add(gAt('name'), null, null, 'name', 'a group needs a non-empty name');
    else if (groupNames.has(gname)) add(gAt('name'), gname, null, 'name', 'group name used twice in this file');
    if (gname) groupNames.add(gname);
    let intervalMs: number | null = null;
    if (g.interval !== undefined) {
      intervalMs = parseDuration(g.interval);
      if (intervalMs === null || intervalMs < 1000) add(gAt('interval'), gname, null, 'interval', `${JSON.stringify(g.interval)} is not a duration of at least 1s (e.g. 30s, 5m, 1h)`);
    }
    const rulesNode = gNode.get('rules', true);
    if (!isSeq(rulesNode)) {
      add(gAt('rules'), gname, null, 'rules', 'expected a list of rules');
      continue;
    }
    const rules: Rule[] = [];
    for (const rNode of rulesNode.items) {
      const rule = parseRule(rNode as Node, file, gname ?? '', directive?.id ?? null, seen, (node, rname, field, msg) => add(start(node), gname, rname, field, msg));
      if (rule) rules.push(rule);
    }
    groups.push({ name: gname ?? '', file, directive, intervalMs, rules });
  }
  return problems.length > before ? [] : groups;
}

type Report = (node: unknown, rule: string | null, field: string | null, message: string) => void;

function parseRule(node: Node, file: string, group: string, directive: string | null, seen: Map<string, string>, report: Report): Rule | null {
  if (!isMap(node)) {
    report(node, null, null, 'a rule must be a mapping (indicator, title, basis, population, pass, target, ...)');
    return null;
  }
  const r = (node.toJSON() ?? {}) as Record<string, unknown>;
  const id = typeof r.indicator === 'string' ? r.indicator : null;
  const nodeOf = (k: string) => node.get(k, true) ?? node;
  let ok = true;
  const bad = (field: string, msg: string, n: unknown = nodeOf(field)) => {
    ok = false;
    report(n, id, field, msg);
  };
  for (const p of node.items) {
    const k = String((p.key as { value?: unknown }).value);
    if (!RULE_KEYS.includes(k)) bad(k, `unknown key (a rule has ${RULE_KEYS.join(', ')})`, p.key);
  }
  if (!id || !INDICATOR_ID.test(id)) bad('indicator', 'required: a lower-case id like endpoint_protection (letters, digits, _)');
  else if (seen.has(id)) bad('indicator', `indicator "${id}" is already defined in ${seen.get(id)}`);
  else seen.set(id, `${file} group "${group}"`);
  const tt = r.tt ?? 0;
  if (!Number.isInteger(tt) || (tt as number) < 0) bad('tt', 'must be a whole number >= 0 (the row of the appendix table; 0 for supporting indicators)');
  const title = r.title as { vi?: unknown; en?: unknown } | undefined;
  if (!title || typeof title !== 'object' || typeof title.vi !== 'string' || typeof title.en !== 'string' || !title.vi || !title.en || Object.keys(title).length !== 2) bad('title', 'required: {vi: "...", en: "..."} (both, and nothing else)');
  if (typeof r.basis !== 'string' || !r.basis.trim()) bad('basis', 'required: the legal basis text (decision, decree, circular)');
  const population = r.population;
  if (population !== 'hosts' && population !== 'systems') {
    bad('population', 'required: hosts or systems');
    return null; // expressions cannot be checked without knowing their variable
  }
  const expr = (field: string, types: string[], required: boolean): CompiledExpr | null => {
    const src = r[field];
    if (src === undefined && !required) return null;
    if (typeof src !== 'string' || !src.trim()) {
      bad(field, `required: a CEL expression of type ${types.join(' or ')}`);
      return null;
    }
    const c = compile(population, src, types);
    if (isProblem(c)) {
      const n = nodeOf(field) as Node & { type?: string };
      // Point at the failing column when the scalar sits on one line as written (plain or
      // quoted); for block scalars (| and >) point at the field.
      const inline = n.type === 'PLAIN' || n.type === 'QUOTE_DOUBLE' || n.type === 'QUOTE_SINGLE';
      const exact = c.offset !== null && inline && !src.includes('\n') && n.range ? { range: [n.range[0] + c.offset + (n.type === 'PLAIN' ? 0 : 1)] } : n;
      bad(field, `CEL: ${c.message}`, exact);
      return null;
    }
    return c;
  };
  const where = expr('where', ['bool'], false);
  const pass = expr('pass', ['bool'], true);
  const reason = expr('reason', ['string', 'list<string>'], false);
  if (reason) {
    // A reason is a catalogue code: words are chosen when a person reads the report, in their
    // language, not written into a rule file. A literal shaped like a code must be one.
    for (const m of reason.source.matchAll(/"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'/g)) {
      const lit = m[1] ?? m[2] ?? '';
      if (/^[A-Z][A-Z0-9_]+$/.test(lit) && !(lit in REASONS)) bad('reason', `"${lit}" is not a reason code of the catalogue; use one of protocol/src/reasons/ (e.g. RULE_NOT_MET) or add one to collector.ts there, in both languages`);
    }
  }
  const by = (r.by ?? ['unit']) as unknown;
  if (!Array.isArray(by) || by.some((b) => b !== 'unit' && b !== 'system') || new Set(by).size !== by.length) bad('by', 'a list of scopes among unit, system (each once)');
  else if (population === 'systems' && by.includes('system')) bad('by', 'a systems rule cannot be scoped by system (each system is its own member); use [unit]');
  const target = r.target;
  if (typeof target !== 'number' || !(target > 0 && target <= 1)) bad('target', 'required: a ratio in (0, 1], e.g. 0.9 for 90%');
  const due = r.due ?? null;
  if (due !== null && (typeof due !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(due) || Number.isNaN(Date.parse(due)))) bad('due', 'a date YYYY-MM-DD');
  const forMs = r.for === undefined ? 0 : parseDuration(r.for);
  if (forMs === null) bad('for', `"${String(r.for)}" is not a duration (e.g. 0s, 10m, 1h)`);
  const labels = (r.labels ?? {}) as Record<string, unknown>;
  if (typeof labels !== 'object' || Array.isArray(labels)) bad('labels', 'a mapping of label name to string');
  else
    for (const [k, v] of Object.entries(labels)) {
      if (!LABEL_NAME.test(k)) bad('labels', `label name "${k}" is invalid (letters, digits, _; not starting with a digit)`);
      else if (RESERVED_LABELS.includes(k)) bad('labels', `label "${k}" is set by the engine; choose another name`);
      else if (typeof v !== 'string') bad('labels', `label "${k}" must be a string`);
    }
  const labelNames = new Set([...RESERVED_LABELS, ...Object.keys(labels)]);
  const annotations: Record<string, Template> = {};
  const ann = (r.annotations ?? {}) as Record<string, unknown>;
  if (typeof ann !== 'object' || Array.isArray(ann)) bad('annotations', 'a mapping of name to template string');
  else
    for (const [k, v] of Object.entries(ann)) {
      if (typeof v !== 'string') {
        bad('annotations', `annotation "${k}" must be a string`);
        continue;
      }
      const t = compileTemplate(v, labelNames);
      if (isTemplateProblem(t)) bad('annotations', `annotation "${k}": ${t.message}`, (node.get('annotations', true) as { get?: (k: string, keep: true) => unknown })?.get?.(k, true));
      else annotations[k] = t;
    }
  if (!ok || !pass || !id) return null;
  return {
    indicator: id,
    directive,
    tt: tt as number,
    title: { vi: title!.vi as string, en: title!.en as string },
    basis: (r.basis as string).trim(),
    population,
    where,
    pass,
    reason,
    by: by as ScopeKey[],
    target: target as number,
    due: due as string | null,
    forMs: forMs!,
    labels: labels as Record<string, string>,
    annotations,
    group,
    file,
  };
}

/** Load a set of rule files as one: all of them, or a RuleFileError naming every problem. */
export function loadRuleFiles(files: readonly string[]): RuleGroup[] {
  const problems: RuleProblem[] = [];
  const seen = new Map<string, string>();
  const groups: RuleGroup[] = [];
  if (!files.length) throw new RuleFileError([{ file: '(config)', group: null, rule: null, field: 'rules.files', line: 0, col: 0, message: 'no rule file given' }]);
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (e) {
      problems.push({ file: f, group: null, rule: null, field: null, line: 0, col: 0, message: `cannot read the file: ${(e as Error).message}` });
      continue;
    }
    const parsed = parseRuleText(text, f, problems, seen);
    const d = parsed[0]?.directive;
    const twice = d && groups.find((g) => g.directive?.id === d.id);
    if (d && twice) problems.push({ file: f, group: null, rule: null, field: 'directive.id', line: 0, col: 0, message: `directive "${d.id}" is already defined in ${twice.file}` });
    groups.push(...parsed);
  }
  problems.push(...carriedOverProblems(groups));
  if (problems.length) throw new RuleFileError(problems);
  return groups;
}

/**
 * A directive's carriesOver names indicators of directives issued before it. An id no loaded
 * file defines is allowed (a directive's file is checked and tested alone; its report measures
 * what is loaded); one defined by this directive, a later one or no directive is a problem.
 */
function carriedOverProblems(groups: readonly RuleGroup[]): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const ruleOf = new Map(groups.flatMap((g) => g.rules.map((r) => [r.indicator, { rule: r, directive: g.directive }] as const)));
  for (const g of groups) {
    const d = g.directive;
    // Each file's groups share its directive: check it once, at the file's first group.
    if (!d || groups.find((x) => x.directive?.id === d.id) !== g) continue;
    for (const id of d.carriesOver) {
      const found = ruleOf.get(id);
      const why = !found
        ? null
        : !found.directive
          ? `"${id}" belongs to no directive (a supporting indicator is always measured)`
          : found.directive.id === d.id
            ? `"${id}" is this directive's own indicator`
            : found.directive.issued >= d.issued
              ? `"${id}" is of ${found.directive.id}, issued ${found.directive.issued}, not before this directive (${d.issued})`
              : null;
      if (why) problems.push({ file: g.file, group: null, rule: null, field: 'directive.carriesOver', line: 0, col: 0, message: `${why}: carriesOver lists indicators of earlier directives that stay in force` });
    }
  }
  return problems;
}
