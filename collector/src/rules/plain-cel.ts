/**
 * Plain rule expressions run as JavaScript: the shipped host rules are field reads
 * (`host.protection.protected`, `!host.stale`, `host.role in ["server", "workstation"]`), and
 * cel-js wraps every object it reads in a typed view of its own, which was most of an
 * evaluation of 100,000 hosts (bench/rules-eval.mjs). An expression made only of the forms
 * below, over fields the schema declares as bool or string, is answered here; any other form
 * runs in cel-js as before. At run time a value that is not of its declared type (which the
 * member views never give, but nothing here assumes it) hands the expression to cel-js, so
 * the answer is always cel-js's: errors and all.
 *
 * Forms: a field path of declared fields ending in a bool; `!e`; `e && e`; `e || e` (CEL's
 * commutative forms agree with JavaScript's short-circuit when neither side errs, and a side
 * that would err hands the whole expression over); a string or bool path `==` / `!=` a literal
 * of its type; a string path `in` a list of string literals; a bool literal.
 */
/** The run-time answer "ask cel-js". */
export const ASK_CEL: unique symbol = Symbol('ask cel-js');

type Vars = Record<string, unknown>;
type Plain = (vars: Vars) => boolean | typeof ASK_CEL;
type Read = (vars: Vars) => unknown;

/** cel-js's parsed form (its parser's node: an operator and its arguments). */
interface Node {
  op: string;
  args: unknown;
}

const isNode = (x: unknown): x is Node => typeof x === 'object' && x !== null && typeof (x as Node).op === 'string';

/** The schema of a variable, as cel.ts declares it to cel-js: field -> type name, or nested fields. */
export type Schema = { readonly [k: string]: string | Schema };
/** The member's variable: its name in expressions and its schema. */
export interface Variable {
  name: string;
  schema: Schema;
}

/** A field path from the population's variable: its reader and declared type, or null. */
function path(n: Node, variable: Variable): { read: Read; type: string } | null {
  const fields: string[] = [];
  let at: Node = n;
  while (at.op === '.') {
    const [inner, field] = at.args as [unknown, unknown];
    if (!isNode(inner) || typeof field !== 'string') return null;
    fields.unshift(field);
    at = inner;
  }
  const { name, schema } = variable;
  if (at.op !== 'id' || at.args !== name || !fields.length) return null;
  let type: string | Schema = schema;
  for (const f of fields) {
    if (typeof type === 'string' || !Object.hasOwn(type, f)) return null;
    type = type[f]!;
  }
  if (typeof type !== 'string') return null;
  const read: Read = (vars) => {
    let v: unknown = vars[name];
    for (const f of fields) {
      if (typeof v !== 'object' || v === null) return ASK_CEL;
      v = (v as Record<string, unknown>)[f];
    }
    return v;
  };
  return { read, type };
}

const literal = (n: unknown): string | boolean | undefined => {
  if (!isNode(n) || n.op !== 'value') return undefined;
  return typeof n.args === 'string' || typeof n.args === 'boolean' ? n.args : undefined;
};

/** The expression as a JavaScript function, or null when it is not plain. */
export function plainExpression(ast: unknown, variable: Variable): Plain | null {
  if (!isNode(ast)) return null;
  const args = ast.args;
  switch (ast.op) {
    case '.': {
      const p = path(ast, variable);
      if (!p || p.type !== 'bool') return null;
      return (vars) => {
        const v = p.read(vars);
        return typeof v === 'boolean' ? v : ASK_CEL;
      };
    }
    case 'value':
      return typeof args === 'boolean' ? () => args : null;
    case '!_': {
      const e = plainExpression(args, variable);
      if (!e) return null;
      return (vars) => {
        const v = e(vars);
        return v === ASK_CEL ? v : !v;
      };
    }
    case '&&':
    case '||': {
      const [l, r] = Array.isArray(args) ? (args as unknown[]) : [];
      const a = plainExpression(l, variable);
      const b = plainExpression(r, variable);
      if (!a || !b) return null;
      const and = ast.op === '&&';
      return (vars) => {
        const x = a(vars);
        if (x === ASK_CEL) return x;
        if (x !== and) return x;
        return b(vars);
      };
    }
    case '==':
    case '!=': {
      const [l, r] = Array.isArray(args) ? (args as unknown[]) : [];
      const sides = isNode(l) && l.op === '.' ? [l, r] : [r, l];
      const p = isNode(sides[0]) ? path(sides[0], variable) : null;
      const lit = literal(sides[1]);
      if (!p || lit === undefined || (p.type !== 'string' && p.type !== 'bool') || typeof lit !== (p.type === 'bool' ? 'boolean' : 'string')) return null;
      const want = ast.op === '==';
      const js = typeof lit;
      return (vars) => {
        const v = p.read(vars);
        return typeof v === js ? (v === lit) === want : ASK_CEL;
      };
    }
    case 'in': {
      const [l, r] = Array.isArray(args) ? (args as unknown[]) : [];
      const p = isNode(l) ? path(l, variable) : null;
      if (!p || p.type !== 'string' || !isNode(r) || r.op !== 'list' || !Array.isArray(r.args)) return null;
      const items = (r.args as unknown[]).map(literal);
      if (!items.every((x): x is string => typeof x === 'string')) return null;
      const set = new Set(items);
      return (vars) => {
        const v = p.read(vars);
        return typeof v === 'string' ? set.has(v) : ASK_CEL;
      };
    }
    default:
      return null;
  }
}
