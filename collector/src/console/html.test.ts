import { describe, expect, it } from 'vitest';
import { agentText, html, join, raw } from './html.js';
import { safeNext } from './session.js';

describe('html template', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    [`" onmouseover='x'`, '&quot; onmouseover=&#39;x&#39;'],
    ['a & b `c`', 'a &amp; b &#96;c&#96;'],
  ])('escapes %s', (value, escaped) => {
    expect(html`<p title="${value}">${value}</p>`.value).toBe(`<p title="${escaped}">${escaped}</p>`);
  });

  it('keeps Html, joins lists and drops null, undefined and false', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`${inner}${['x', html`<br>`, 1]}${null}${undefined}${false}`.value).toBe('<b>&lt;i&gt;</b>x<br>1');
    expect(join(['<a>', raw('<hr>')], ', ').value).toBe('&lt;a&gt;, <hr>');
  });
});

describe('agentText', () => {
  it('isolates direction and shows bidi and zero-width controls as code points', () => {
    const out = agentText('evil\u202Eexe.txt\u200B').value;
    expect(out).not.toMatch(/[\u202E\u200B]/);
    expect(out).toContain('<span class="ctl">U+202E</span>');
    expect(out).toContain('<span class="ctl">U+200B</span>');
    expect(out).toMatch(/^<bdi class="agent" title="evil\[U\+202E\]exe\.txt\[U\+200B\]">/);
  });

  it('cuts very long values and keeps the whole value (escaped) in the title', () => {
    const long = `<x>${'a'.repeat(300)}`;
    const out = agentText(long, 100).value;
    expect(out).toContain(`title="&lt;x&gt;${'a'.repeat(300)}"`);
    expect(out).toContain('… (+203)');
    expect(out).not.toContain('<x>');
  });

  it('shows a dash for nothing', () => {
    expect(agentText('').value).toContain('—');
    expect(agentText(null).value).toContain('—');
  });
});

describe('safeNext', () => {
  it.each([
    ['/console/units/TTCNTT', '/console/units/TTCNTT'],
    ['/console/systems?show=failing&unit=CHHVN', '/console/systems?show=failing&unit=CHHVN'],
    ['https://evil.example/', '/console'],
    ['//evil.example/console', '/console'],
    ['/console//evil.example', '/console'],
    ['/consolex', '/console'],
    ['/console/"><script>', '/console'],
    [undefined, '/console'],
  ])('%s -> %s', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });
});
