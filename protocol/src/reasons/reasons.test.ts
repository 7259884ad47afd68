import { describe, expect, it } from 'vitest';
import { REASONS, placeholders, renderReason, reason } from './index.js';

describe('reason catalogue', () => {
  it('gives every code both languages with the same parameters', () => {
    const codes = Object.keys(REASONS);
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) {
      const t = REASONS[code]!;
      expect(t.vi.trim(), `${code} vi`).not.toBe('');
      expect(t.en.trim(), `${code} en`).not.toBe('');
      expect(placeholders(t.vi), `${code}: vi and en name different parameters`).toEqual(placeholders(t.en));
      expect(code).toMatch(/^[A-Z][A-Z0-9_]{1,63}$/);
    }
  });

  it('renders parameters, with a decimal comma in Vietnamese', () => {
    const cat = { X: { vi: 'tuổi {age} giờ, {ok}', en: 'age {age} h, {ok}' } };
    expect(renderReason(reason('X', { age: 7.25, ok: true }), 'vi', cat)).toBe('tuổi 7,3 giờ, có');
    expect(renderReason(reason('X', { age: 7.25, ok: true }), 'en', cat)).toBe('age 7.3 h, yes');
  });

  it('shows an unknown code with its parameters instead of dropping it', () => {
    expect(renderReason(reason('NEWER_AGENT_CODE', { n: 3 }), 'vi', {})).toBe('NEWER_AGENT_CODE (n=3)');
  });
});
