/**
 * Label and annotation templates: `{{ $labels.unit }}`, `{{ $value }}`, ... A deliberately
 * tiny language (variable substitution only) so a rule file can never run code; every
 * variable is checked when the file loads.
 */

/** Variables a template may use, with what they hold. */
export const TEMPLATE_VARS = {
  value: 'ratio of passing members, 0..1 (4 decimals)',
  percent: 'the ratio as a percentage, e.g. 67.3%',
  target: 'the target ratio, 0..1',
  targetPercent: 'the target as a percentage',
  pass: 'passing members',
  total: 'members in scope',
  due: 'due date of the target, or empty',
  indicator: 'the indicator id',
  scopeName: 'display name of the unit or system, or the ministry',
  title: 'the indicator title (Vietnamese)',
  titleEn: 'the indicator title (English)',
} as const;

const PART = /\{\{\s*\$([A-Za-z]+)(?:\.([A-Za-z_][A-Za-z0-9_]*))?\s*\}\}/g;

export interface TemplateProblem {
  message: string;
  offset: number;
}

export type Template = (vars: TemplateContext) => string;

export interface TemplateContext {
  labels: Record<string, string>;
  values: Partial<Record<keyof typeof TEMPLATE_VARS, string>>;
}

/** Check a template against the variables and label names it may use. */
export function compileTemplate(text: string, labelNames: ReadonlySet<string>): Template | TemplateProblem {
  const open = text.indexOf('{{');
  for (const m of text.matchAll(PART)) {
    const [, name, key] = m;
    if (name === 'labels') {
      if (!key) return { message: 'use {{ $labels.NAME }} with a label name', offset: m.index };
      if (!labelNames.has(key)) return { message: `unknown label "${key}" (known: ${[...labelNames].sort().join(', ')})`, offset: m.index };
    } else if (key || !(name! in TEMPLATE_VARS)) {
      return {
        message: `unknown template variable "$${name}${key ? '.' + key : ''}" (known: $labels.NAME, ${Object.keys(TEMPLATE_VARS)
          .map((v) => '$' + v)
          .join(', ')})`,
        offset: m.index,
      };
    }
  }
  // Any "{{" left after removing the valid parts is malformed.
  const rest = text.replace(PART, '');
  if (rest.includes('{{') || rest.includes('}}')) return { message: 'malformed template: use {{ $name }} or {{ $labels.NAME }}', offset: Math.max(0, open) };
  return (ctx) => text.replace(PART, (_m, name: string, key?: string) => (name === 'labels' ? (ctx.labels[key!] ?? '') : (ctx.values[name as keyof typeof TEMPLATE_VARS] ?? '')));
}

export const isTemplateProblem = (x: Template | TemplateProblem): x is TemplateProblem => typeof x !== 'function';
