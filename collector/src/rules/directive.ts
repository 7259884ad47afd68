/**
 * The optional `directive:` block of a rule file: which document the file's targets come from
 * (id, title, issue date, legal basis). Parsed with the same strictness as the rules: unknown
 * keys and missing fields are problems with their position.
 */
import { isMap, type Node } from 'yaml';

/** The directive a rule file measures against: its own file, named in the report. */
export interface Directive {
  /** Stable id, e.g. 09-CT-TTg-2024 (`posture report --directive`). */
  id: string;
  title: { vi: string; en: string };
  /** YYYY-MM-DD: from this day on it is the directive in force (the report's default). */
  issued: string;
  basis: string;
  /**
   * Indicators of earlier directives that stay in force beside this one's targets (a later
   * directive raises some targets and leaves the others standing): its report measures them too,
   * each with its own target, due date and basis, numbered after this directive's own rows
   * (an id no loaded rule file defines is simply not measured).
   */
  carriesOver: string[];
}

const DIRECTIVE_KEYS = ['id', 'title', 'issued', 'basis', 'carriesOver'];

/** The optional `directive:` block: which document the file's targets come from. */
export function parseDirective(node: Node | undefined, bad: (n: unknown, field: string, message: string) => void): Directive | null {
  if (node === undefined) return null;
  if (!isMap(node)) {
    bad(node, 'directive', 'a mapping {id, title: {vi, en}, issued: YYYY-MM-DD, basis}');
    return null;
  }
  const d = (node.toJSON() ?? {}) as Record<string, unknown>;
  const at = (k: string) => node.get(k, true) ?? node;
  let ok = true;
  const fail = (k: string, msg: string) => {
    ok = false;
    bad(at(k), `directive.${k}`, msg);
  };
  for (const p of node.items) {
    const k = String((p.key as { value?: unknown }).value);
    if (!DIRECTIVE_KEYS.includes(k)) {
      ok = false;
      bad(p.key, `directive.${k}`, `unknown key (a directive has ${DIRECTIVE_KEYS.join(', ')})`);
    }
  }
  if (typeof d.id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(d.id)) fail('id', 'required: an id like 09-CT-TTg-2024 (letters, digits, . _ -)');
  const t = d.title as { vi?: unknown; en?: unknown } | undefined;
  if (!t || typeof t !== 'object' || typeof t.vi !== 'string' || typeof t.en !== 'string' || !t.vi || !t.en) fail('title', 'required: {vi: "...", en: "..."}');
  if (typeof d.issued !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(d.issued) || Number.isNaN(Date.parse(d.issued))) fail('issued', 'required: the date it was issued, YYYY-MM-DD');
  if (typeof d.basis !== 'string' || !d.basis.trim()) fail('basis', 'required: the legal basis text');
  const carries = d.carriesOver ?? [];
  if (!Array.isArray(carries) || !carries.every((x) => typeof x === 'string' && /^[a-z][a-z0-9_]*$/.test(x))) fail('carriesOver', 'a list of indicator ids of earlier directives, e.g. [endpoint_protection]');
  if (!ok) return null;
  return { id: d.id as string, title: { vi: t!.vi as string, en: t!.en as string }, issued: d.issued as string, basis: (d.basis as string).trim(), carriesOver: [...new Set(carries as string[])] };
}
